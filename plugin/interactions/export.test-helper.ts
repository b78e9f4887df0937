/** A small interactions export for the tests: two posts of https://alice.example/, one with a thread. */
import { apUrl, postObjectKey } from "../../contract/activitypub-paths.js";
import type {
  ExportedReply,
  InteractionsExport,
  PostInteractions,
  RemoteActor,
} from "../../contract/interactions-export.js";

export const SITE = "https://alice.example/";
export const SIDECAR = "https://fed.alice.example/";

export function actor(name: string, over: Partial<RemoteActor> = {}): RemoteActor {
  return {
    id: `https://${name}.example/users/${name}`,
    name: name[0]?.toUpperCase() + name.slice(1),
    handle: `${name}@${name}.example`,
    url: `https://${name}.example/@${name}`,
    icon: `https://${name}.example/avatars/${name}.png`,
    ...over,
  };
}

export function reply(
  id: string,
  inReplyTo: string,
  who: string,
  over: Partial<ExportedReply> = {},
): ExportedReply {
  return {
    id: `https://${who}.example/statuses/${id}`,
    url: `https://${who}.example/@${who}/${id}`,
    inReplyTo,
    author: actor(who),
    content: `<p>reply ${id}</p>`,
    published: "2026-01-02T10:00:00.000Z",
    ...over,
  };
}

export function post(slug: string, over: Partial<PostInteractions> = {}): PostInteractions {
  const url = `${SITE}posts/${slug}/`;
  return {
    uri: url,
    url,
    objectId: apUrl(SIDECAR, "post", { id: postObjectKey(url) }),
    replies: [],
    likes: 0,
    boosts: 0,
    likedBy: [],
    boostedBy: [],
    ...over,
  };
}

/**
 * Post "a": r1 answers the post, r2 answers r1 (by id), r4 answers r2 (by its url), r3
 * answers a reply that is not shown; 3 likes and 1 boost. Post "b": 1 like, no replies.
 */
export function sampleExport(): InteractionsExport {
  const a = post("a");
  const r1 = reply("1", a.objectId, "bob");
  const r2 = reply("2", r1.id, "carol", { summary: "Spoilers", published: "2026-01-02T11:00:00Z" });
  const r3 = reply("3", "https://dave.example/statuses/gone", "dave");
  const r4 = reply("4", r2.url, "bob");
  return {
    version: 1,
    generated: "2026-01-03T00:00:00.000Z",
    posts: [
      {
        ...a,
        replies: [r1, r2, r3, r4],
        likes: 3,
        boosts: 1,
        likedBy: [actor("bob"), actor("carol"), actor("dave")],
        boostedBy: [actor("carol")],
      },
      post("b", { likes: 1, likedBy: [actor("erin")] }),
    ],
  };
}
