/** Test fixtures: the options and a version-2 notice the object and activity tests share. */
import { postObjectKey } from "../../contract/activitypub-paths.js";
import type { ManifestNotice } from "../../contract/manifest.js";
import type { ApOptions } from "./post-object.js";

export const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
export const OPTS: ApOptions = {
  sidecarUrl: "https://fed.example/base/",
  nickname: "alice",
  objectType: "Note",
};
export const ACTOR = "https://fed.example/base/ap/users/alice";

export const NOTICE: ManifestNotice = {
  uri: "https://site.example/posts/hello/",
  url: "https://site.example/posts/hello/",
  content: "Hello https://site.example/posts/hello/",
  published: "2024-05-01T10:00:00+02:00",
  license: "https://creativecommons.org/licenses/by/4.0/",
  title: "Hello & <welcome>",
  html: '<h2>Intro</h2><p>See <a href="../other/">the other</a> <img src="cat.jpg" alt="a cat"></p><script>x()</script>',
  summary: "A first post",
  tags: ["cats", "#web dev", "cats"],
  language: "en",
};

/** The object id of NOTICE under OPTS. */
export const OBJECT_ID = `https://fed.example/base/ap/posts/${postObjectKey(NOTICE.uri)}`;
