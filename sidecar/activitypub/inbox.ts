/**
 * What the inboxes (the actor's and the shared one) do with verified activities: Follow,
 * Undo(Follow), Accept/Reject of our own Follows, Delete of a follower's actor. Fedify has
 * checked the signature (cavage or RFC 9421, Digest, Date window, key owner = actor) and
 * deduplicated by activity id before any of this runs.
 */
import type { AsyncLocalStorage } from "node:async_hooks";
import type { Federation, InboxContext, UnverifiedActivityReason } from "@fedify/fedify";
import {
  Accept,
  Activity,
  Announce,
  Create,
  Delete,
  Follow,
  Like,
  Reject,
  Undo,
  Update,
} from "@fedify/vocab";
import type { Context } from "../context.js";
import { notifyFollower } from "../interactions/notifications.js";
import type { ApFollower } from "../store/types.js";
import type { FollowReplies } from "./follow-replies.js";
import type { FollowRequests } from "./follow-requests.js";
import {
  type ContentDeps,
  onAnnounce,
  onCreate,
  onDeletePost,
  onLike,
  onUndoReaction,
  onUpdate,
} from "./inbox-content.js";
import { actorSummary } from "./remote-actor.js";
import type { ApUrls } from "./urls.js";

export interface InboxDeps {
  ctx: Context;
  urls: ApUrls;
  replies: FollowReplies;
  requests: FollowRequests;
  /** Posts, replies and reactions: the timeline and the post pages. */
  content: ContentDeps;
  /** The request being handled: a failing listener marks it (the adapter keeps its 500). */
  handling?: AsyncLocalStorage<{ listenerFailed: boolean }>;
}

const isHttpUrl = (u: URL | null | undefined): u is URL =>
  !!u && (u.protocol === "https:" || u.protocol === "http:") && u.href.length <= 2048;

/** The follower record a Follow makes, from its actor as their server serves it. */
async function followerOf(follow: Follow, ictx: InboxContext<void>): Promise<ApFollower | null> {
  const actor = await follow.getActor({ documentLoader: ictx.documentLoader });
  const followId = follow.id?.href;
  if (!actor?.id || !followId || actor.id.href !== follow.actorId?.href) return null;
  const inbox = actor.inboxId;
  const shared = actor.endpoints?.sharedInbox;
  if (!isHttpUrl(inbox)) return null;
  return {
    protocol: "activitypub",
    id: actor.id.href,
    profile: await actorSummary(actor),
    credentials: {
      inbox: inbox.href,
      ...(isHttpUrl(shared) ? { sharedInbox: shared.href } : {}),
      followId,
    },
    since: new Date().toISOString(),
  };
}

/** The site's actor id, when the activity's object is it. */
async function addressesUs(deps: InboxDeps, ictx: InboxContext<void>, objectId: URL | null) {
  const nickname = (await deps.ctx.siteProfile.cached())?.nickname;
  return !!nickname && objectId?.href === ictx.getActorUri(nickname).href;
}

async function onFollow(deps: InboxDeps, ictx: InboxContext<void>, follow: Follow) {
  const { ctx } = deps;
  if (!(await addressesUs(deps, ictx, follow.objectId))) {
    ctx.log.info({ activity: follow.id?.href }, "a Follow of someone else; ignored");
    return;
  }
  const follower = await followerOf(follow, ictx);
  if (!follower) {
    ctx.log.info(
      { actor: follow.actorId?.href },
      "a Follow whose actor has no usable inbox; ignored",
    );
    return;
  }
  if (ctx.config.activitypub.manuallyApprovesFollowers) {
    const held = await deps.requests.hold(follower, follow);
    ctx.log.info(
      { actor: follower.id, held },
      held
        ? "a follow request waits for the owner"
        : "too many follow requests waiting; this one was dropped",
    );
    return;
  }
  if ((await ctx.store.saveFollower(follower)) === "added")
    await notifyFollower(ctx.store, follower);
  ctx.log.info({ actor: follower.id, handle: follower.profile.handle }, "new ActivityPub follower");
  await deps.replies.reply("Accept", follow, follower.id, follower.credentials.inbox);
}

async function onUndo(deps: InboxDeps, _ictx: InboxContext<void>, undo: Undo) {
  const actorId = undo.actorId?.href;
  if (!actorId) return;
  // An embedded Follow is used as given; a bare id is not fetched (Follow ids rarely resolve).
  const object = await undo.getObject({ crossOrigin: "ignore" }).catch(() => null);
  const followId = (object instanceof Follow ? object.id : undo.objectId)?.href;
  const current = await deps.ctx.store.follower(actorId);
  if (current?.protocol === "activitypub" && followId === current.credentials.followId) {
    await deps.ctx.store.removeFollower(actorId, { ifCredential: followId });
    await deps.replies.forget(actorId);
    deps.ctx.log.info({ actor: actorId }, "an ActivityPub follower unfollowed");
  }
  if (object instanceof Follow) await deps.requests.drop(actorId);
  else await onUndoReaction(deps.content, undo, object);
}

/** Accept or Reject of a Follow we sent: the followed account's record says so. */
async function onAnswer(deps: InboxDeps, answer: Accept | Reject) {
  const actorId = answer.actorId?.href;
  const object = await answer.getObject({ crossOrigin: "ignore" }).catch(() => null);
  const followId = (object instanceof Follow ? object.id : answer.objectId)?.href;
  const followed = actorId ? await deps.ctx.store.followedAccount(actorId) : undefined;
  if (followed?.protocol !== "activitypub" || followed.credentials.followId !== followId) return;
  if (answer instanceof Accept) {
    const accepted = { ...followed, credentials: { ...followed.credentials, accepted: true } };
    await deps.ctx.store.saveFollowed(accepted, { ifCredential: followed.credentials.followId });
  } else {
    await deps.ctx.store.removeFollowed(followed.id);
  }
  deps.ctx.events.emit("following", followed.id);
  deps.ctx.log.info(
    { account: followed.id },
    `our Follow was ${answer instanceof Accept ? "accepted" : "rejected"}`,
  );
}

/** An actor deleted itself: as follower, as pending request, as pending reply, it is gone. */
async function forgetActor(deps: InboxDeps, actorId: string): Promise<void> {
  if (await deps.ctx.store.removeFollower(actorId)) {
    deps.ctx.log.info({ actor: actorId }, "an ActivityPub follower's account was deleted");
  }
  await deps.requests.drop(actorId);
  await deps.replies.forget(actorId);
  await deps.content.interactions.forget({ actor: actorId });
}

async function onDelete(deps: InboxDeps, _ictx: InboxContext<void>, del: Delete) {
  const actorId = del.actorId?.href;
  if (actorId && del.objectId?.href === actorId) await forgetActor(deps, actorId);
  else await onDeletePost(deps.content, del);
}

/**
 * A deleted account's server signs its Delete with a key it no longer serves (410 Gone), so
 * the signature cannot be checked. We fetched that key ourselves and were told it is gone:
 * the account is forgotten and 202 answered (else the sender would retry for days). Any
 * other unverifiable activity keeps Fedify's 401, so RFC 9421 senders retry with cavage.
 */
async function onUnverified(
  deps: InboxDeps,
  activity: Activity,
  reason: UnverifiedActivityReason,
): Promise<Response | undefined> {
  if (!(activity instanceof Delete) || reason.type !== "keyFetchError") return undefined;
  if (!("status" in reason.result) || reason.result.status !== 410) return undefined;
  const actorId = activity.actorId?.href;
  const keyDoc = new URL(reason.keyId);
  keyDoc.hash = "";
  if (!actorId || activity.objectId?.href !== actorId || keyDoc.href !== actorId) return undefined;
  await forgetActor(deps, actorId);
  return new Response(null, { status: 202 });
}

export function registerInbox(federation: Federation<void>, deps: InboxDeps): void {
  const { ctx, urls } = deps;
  federation
    .setInboxListeners(urls.template("inbox") as "{identifier}", urls.template("sharedInbox"))
    .on(Follow, (ictx, a) => onFollow(deps, ictx, a))
    .on(Undo, (ictx, a) => onUndo(deps, ictx, a))
    .on(Accept, (_ictx, a) => onAnswer(deps, a))
    .on(Reject, (_ictx, a) => onAnswer(deps, a))
    .on(Delete, (ictx, a) => onDelete(deps, ictx, a))
    .on(Create, (ictx, a) => onCreate(deps.content, ictx, a))
    .on(Update, (ictx, a) => onUpdate(deps.content, ictx, a))
    .on(Announce, (ictx, a) => onAnnounce(deps.content, ictx, a))
    .on(Like, (ictx, a) => onLike(deps.content, ictx, a))
    // Everything else (Move, Block, Flag, EmojiReact…) is taken and not kept, instead of
    // Fedify's error line per unsupported activity.
    .on(Activity, (_ictx, a) => {
      ctx.log.debug({ activity: a.id?.href }, "an ActivityPub activity this wing does not handle");
    })
    .onUnverifiedActivity((_fctx, activity, reason) => onUnverified(deps, activity, reason))
    .onError((_fctx, err) => {
      const state = deps.handling?.getStore();
      if (state) state.listenerFailed = true;
      ctx.log.warn({ err }, "an inbound ActivityPub activity failed");
    })
    // Activities for the actor reach it once, whether sent to its inbox or the shared one.
    .withIdempotency("global")
    // Fetches made while handling shared-inbox activities are signed as the actor.
    .setSharedKeyDispatcher(async () => {
      const nickname = (await ctx.siteProfile.cached())?.nickname;
      return nickname ? { identifier: nickname } : null;
    });
}
