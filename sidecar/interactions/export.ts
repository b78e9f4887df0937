/** The interactions export (`interactions.json`, `GET /admin/interactions.json`): what the post pages show. */

import path from "node:path";
import {
  INTERACTIONS_EXPORT_FILE,
  INTERACTIONS_EXPORT_VERSION,
  type InteractionsExport,
  type PostInteractions,
  type RemoteActor,
} from "../../contract/interactions-export.js";
import { postObjectId } from "../../protocol/activitypub/post-object.js";
import type { Config } from "../config.js";
import { inboxExportFile, writeExportFile } from "../inbox/export.js";
import type { Store } from "../store/store.js";
import type { ActorSummary } from "../store/types.js";
import { listReactions, listReplies } from "./interactions.js";

/** Who liked or boosted, per post: the newest this many (the counts stay whole). */
const MAX_NAMED = 200;

const actorOf = ({ id, name, handle, url, icon }: ActorSummary): RemoteActor => ({
  id,
  name,
  url,
  ...(handle ? { handle } : {}),
  ...(icon ? { icon } : {}),
});

/** Only what the owner allowed: approved replies, and likes and boosts (never moderated). */
export async function interactionsExport(
  store: Store,
  sidecarUrl: string,
): Promise<InteractionsExport> {
  const published = await store.publishedPosts();
  const posts = new Map<string, PostInteractions>();
  const entry = (uri: string) => {
    let e = posts.get(uri);
    if (!e) {
      e = {
        uri,
        url: published.get(uri)?.url ?? uri,
        objectId: postObjectId(sidecarUrl, uri).href,
        replies: [],
        likes: 0,
        boosts: 0,
        likedBy: [],
        boostedBy: [],
      };
      posts.set(uri, e);
    }
    return e;
  };
  for (const r of await listReplies(store)) {
    if (r.state !== "approved" || published.get(r.postUri)?.removedAt) continue;
    entry(r.postUri).replies.push({
      id: r.id,
      url: r.url,
      inReplyTo: r.inReplyTo,
      author: actorOf(r.author),
      content: r.content,
      ...(r.summary ? { summary: r.summary } : {}),
      published: r.published,
      ...(r.updated ? { updated: r.updated } : {}),
    });
  }
  for (const r of await listReactions(store)) {
    if (published.get(r.postUri)?.removedAt) continue;
    const e = entry(r.postUri);
    if (r.kind === "like") e.likes++;
    else e.boosts++;
    (r.kind === "like" ? e.likedBy : e.boostedBy).push(actorOf(r.actor));
  }
  for (const e of posts.values()) {
    e.replies.sort((a, b) => a.published.localeCompare(b.published));
    e.likedBy = e.likedBy.slice(-MAX_NAMED);
    e.boostedBy = e.boostedBy.slice(-MAX_NAMED);
  }
  return {
    version: INTERACTIONS_EXPORT_VERSION,
    generated: new Date().toISOString(),
    posts: [...posts.values()],
  };
}

/** Rewrites `interactions.json` at `file` from the store. */
export async function writeInteractionsExport(
  store: Store,
  file: string,
  sidecarUrl: string,
): Promise<void> {
  await writeExportFile(file, await interactionsExport(store, sidecarUrl));
}

/** `interactions.json` beside the data file (null for an in-memory store), as for the inbox. */
export function interactionsExportFile(config: Pick<Config, "dataFile">): string | null {
  const inbox = inboxExportFile(config);
  return inbox && path.join(path.dirname(inbox), INTERACTIONS_EXPORT_FILE);
}
