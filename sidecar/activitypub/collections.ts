/** The actor's followers and following collections: counts, and pages of actor ids. */
import type { Federation, RequestContext } from "@fedify/fedify";
import type { Context } from "../context.js";
import { siteActor } from "./actor.js";
import type { ApUrls } from "./urls.js";

/** Actor ids per collection page. */
export const PAGE_SIZE = 100;

interface Member {
  id: string;
  inbox: string;
  sharedInbox?: string;
  since: string;
}

async function followerMembers(ctx: Context): Promise<Member[]> {
  const all = await ctx.store.followers("activitypub");
  return all
    .flatMap((f) =>
      f.protocol === "activitypub" ? [{ id: f.id, ...f.credentials, since: f.since }] : [],
    )
    .sort((a, b) => a.since.localeCompare(b.since));
}

async function followingMembers(ctx: Context): Promise<Member[]> {
  return (await ctx.store.followed())
    .flatMap((f) =>
      f.protocol === "activitypub" && f.credentials.accepted
        ? [{ id: f.id, ...f.credentials, since: f.since }]
        : [],
    )
    .sort((a, b) => a.since.localeCompare(b.since));
}

/** The offset a page cursor names, or null for one we did not hand out. */
function offset(cursor: string): number | null {
  const start = Number.parseInt(cursor, 10);
  return Number.isSafeInteger(start) && start >= 0 && String(start) === cursor ? start : null;
}

/** Page `cursor` of `members`, mapped by `item`. */
function page<T>(members: Member[], cursor: string, item: (m: Member) => T) {
  const start = offset(cursor);
  if (start === null) return null;
  const items = members.slice(start, start + PAGE_SIZE).map(item);
  const next = start + PAGE_SIZE < members.length ? String(start + PAGE_SIZE) : null;
  return { items, nextCursor: next };
}

/** A follower as Fedify's recipient: it renders the id, and could address the inboxes. */
const recipient = (m: Member) => ({
  id: new URL(m.id),
  inboxId: new URL(m.inbox),
  endpoints: m.sharedInbox ? { sharedInbox: new URL(m.sharedInbox) } : null,
});

/** Secure mode: collections, posts and the outbox answer only a GET signed by some actor's key. */
export function authorizer(ctx: Context) {
  return async (fctx: RequestContext<void>) =>
    !ctx.config.activitypub.secureMode || (await fctx.getSignedKey()) !== null;
}

export function registerCollections(
  federation: Federation<void>,
  ctx: Context,
  urls: ApUrls,
): void {
  const count = (members: (ctx: Context) => Promise<Member[]>) => async (_f: unknown, id: string) =>
    (await siteActor(ctx, id)) ? (await members(ctx)).length : null;
  federation
    .setFollowersDispatcher(urls.template("followers") as "{identifier}", async (_f, id, cursor) =>
      cursor !== null && (await siteActor(ctx, id))
        ? page(await followerMembers(ctx), cursor, recipient)
        : null,
    )
    .setCounter(count(followerMembers))
    .setFirstCursor(async () => "0")
    .authorize(authorizer(ctx));
  federation
    .setFollowingDispatcher(urls.template("following") as "{identifier}", async (_f, id, cursor) =>
      cursor !== null && (await siteActor(ctx, id))
        ? page(await followingMembers(ctx), cursor, (m) => new URL(m.id))
        : null,
    )
    .setCounter(count(followingMembers))
    .setFirstCursor(async () => "0")
    .authorize(authorizer(ctx));
}
