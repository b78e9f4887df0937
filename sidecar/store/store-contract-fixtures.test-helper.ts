/** Sample records shared by the Store contract parts: a notice, a follower's destination. */
import { ombDestination } from "../../test/helpers/fixtures.js";
import type { ManifestNotice, OmbFollower } from "./types.js";

export const notice = (n: number): ManifestNotice => ({
  uri: `http://site.example/posts/${n}/`,
  url: `http://site.example/posts/${n}/`,
  content: `post ${n}`,
  published: new Date(n * 1000).toISOString(),
  license: "http://creativecommons.org/licenses/by/3.0/",
});

export const at = (f: OmbFollower) => ombDestination(f.credentials.postNoticeUrl);
