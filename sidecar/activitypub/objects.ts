/**
 * The posts' object ids and the outbox: `/ap/posts/{id}` serves a published post as its Note
 * or Article (a removed one as a Tombstone, answered 410 by the adapter), and the outbox
 * pages the latest posts as Create activities. Fedify renders and negotiates both.
 */
import type { Federation } from "@fedify/fedify";
import { Object as ApObject, type Create } from "@fedify/vocab";
import { createActivity } from "../../protocol/activitypub/activities.js";
import {
  type ApOptions,
  postObject,
  postObjectId,
  tombstone,
} from "../../protocol/activitypub/post-object.js";
import type { Context } from "../context.js";
import { siteActor } from "./actor.js";
import { authorizer } from "./collections.js";
import type { SitePosts } from "./posts.js";
import type { ApUrls } from "./urls.js";

/** Activities per outbox page. */
export const OUTBOX_PAGE = 20;

async function apOptions(ctx: Context): Promise<ApOptions | null> {
  const nickname = (await ctx.siteProfile.cached())?.nickname;
  if (!nickname) return null;
  return {
    sidecarUrl: ctx.config.publicUrl,
    nickname,
    objectType: ctx.config.activitypub.objectType,
  };
}

export function registerObjects(
  federation: Federation<void>,
  ctx: Context,
  urls: ApUrls,
  posts: SitePosts,
): void {
  federation
    .setObjectDispatcher(ApObject, urls.template("post") as "{id}", async (_fctx, { id }) => {
      const opts = await apOptions(ctx);
      const found = opts && (await posts.byKey(id));
      if (!opts || !found) return null;
      if (found.kind === "removed") {
        return tombstone({ uri: found.record.uri, deletedAt: found.record.removedAt }, opts);
      }
      return postObject(found.notice, opts);
    })
    .authorize(authorizer(ctx));

  federation
    .setOutboxDispatcher(
      urls.template("outbox") as "{identifier}",
      async (_fctx, identifier, cursor) => {
        const opts = await apOptions(ctx);
        if (cursor === null || !opts || !(await siteActor(ctx, identifier))) return null;
        const start = Number.parseInt(cursor, 10);
        if (!Number.isSafeInteger(start) || start < 0 || String(start) !== cursor) return null;
        const latest = await posts.latest();
        const published = await ctx.store.publishedPosts();
        const items: Create[] = latest.slice(start, start + OUTBOX_PAGE).map((n) => {
          const seq = published.get(n.uri)?.seq ?? 0;
          const create = createActivity(n, opts, seq, n.published);
          // A post recorded as already published (seq 0) was never sent: its own id, not the log's.
          return seq > 0
            ? create
            : create.clone({ id: new URL(`${postObjectId(opts.sidecarUrl, n.uri).href}#create`) });
        });
        const next = start + OUTBOX_PAGE < latest.length ? String(start + OUTBOX_PAGE) : null;
        return { items, nextCursor: next };
      },
    )
    .setCounter(async (_fctx, identifier) =>
      (await siteActor(ctx, identifier)) ? (await posts.latest()).length : null,
    )
    .setFirstCursor(async () => "0")
    .authorize(authorizer(ctx));
}
