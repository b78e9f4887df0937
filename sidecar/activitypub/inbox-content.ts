/**
 * Posts and reactions arriving at the inbox, verified by Fedify: replies to the site's posts
 * (and to replies in their threads), likes and boosts of them, and the posts, edits,
 * deletions and boosts of the accounts the site follows, for the timeline.
 */
import type { InboxContext } from "@fedify/fedify";
import {
  Announce,
  type Object as ApObject,
  Article,
  type Create,
  type Delete,
  isActor,
  Like,
  Note,
  Page,
  Question,
  type Undo,
  type Update,
} from "@fedify/vocab";
import type { Context } from "../context.js";
import type { Blocks } from "../interactions/blocks.js";
import type { Interactions } from "../interactions/interactions.js";
import { notify } from "../interactions/notifications.js";
import type { StoredReply } from "../interactions/records.js";
import type { InboxNotice } from "../store/types.js";
import { actorSummary } from "./remote-actor.js";
import { isPublic, type RemoteNote, remoteNote } from "./remote-note.js";
import type { PostRefs } from "./site-post-ref.js";

export interface ContentDeps {
  ctx: Context;
  interactions: Interactions;
  blocks: Blocks;
  refs: PostRefs;
}

type Ictx = InboxContext<void>;

/** Objects taken as posts; anything else (actors, collections, activities) is not one. */
const isPost = (o: unknown): o is ApObject =>
  o instanceof Note || o instanceof Article || o instanceof Question || o instanceof Page;

/** The activity's post, if it is one addressed to the public (the site's pages are public). */
async function objectOf(
  ictx: Ictx,
  activity: Create | Update | Announce,
): Promise<ApObject | null> {
  const o = await activity.getObject({ documentLoader: ictx.documentLoader }).catch(() => null);
  return isPost(o) && isPublic(o) ? o : null;
}

/** The account the site follows over ActivityPub (a pending Follow counts: its posts may come first). */
async function followedAp(ctx: Context, actorId: string) {
  const f = await ctx.store.followedAccount(actorId);
  return f?.protocol === "activitypub" ? f : undefined;
}

function noticeOf(
  note: RemoteNote,
  listenee: string,
  extra: Partial<InboxNotice["activitypub"]> = {},
  uri = note.id,
): InboxNotice {
  return {
    protocol: "activitypub",
    uri,
    listeneeUri: listenee,
    content: note.content,
    url: note.url,
    license: "",
    receivedAt: new Date().toISOString(),
    activitypub: {
      author: note.author,
      ...(note.summary ? { summary: note.summary } : {}),
      ...(note.published ? { published: note.published } : {}),
      ...(note.updated ? { updated: note.updated } : {}),
      attachments: note.attachments,
      ...extra,
    },
  };
}

async function approvedOnArrival(deps: ContentDeps, authorId: string): Promise<boolean> {
  const rule = deps.ctx.config.interactions.autoApprove;
  if (rule === "all") return true;
  return rule === "followed" && (await deps.ctx.store.followedAccount(authorId)) !== undefined;
}

/** A reply in a site post's thread: stored (pending unless the owner's rule approves it). */
async function takeReply(deps: ContentDeps, note: RemoteNote, postUri: string): Promise<void> {
  const state = (await approvedOnArrival(deps, note.author.id)) ? "approved" : "pending";
  const reply: StoredReply = {
    id: note.id,
    url: note.url,
    inReplyTo: note.inReplyTo ?? "",
    postUri,
    author: note.author,
    content: note.content,
    ...(note.summary ? { summary: note.summary } : {}),
    published: note.published ?? new Date().toISOString(),
    ...(note.updated ? { updated: note.updated } : {}),
    receivedAt: new Date().toISOString(),
    state,
  };
  const saved = await deps.interactions.saveReply(reply);
  if (saved === "added") {
    await notify(deps.ctx.store, { kind: "reply", actor: note.author, postUri, replyId: note.id });
    deps.ctx.log.info({ reply: note.id, post: postUri, state }, "a reply to a post of the site");
  }
}

export async function onCreate(deps: ContentDeps, ictx: Ictx, create: Create): Promise<void> {
  const actorId = create.actorId?.href;
  const object = await objectOf(ictx, create);
  if (!actorId || !object) return;
  // Whether the site keeps it is decided first (cheap): the author is fetched only then.
  const target = object.replyTargetId?.href;
  const postUri = target ? await deps.refs.thread(target) : undefined;
  if (!postUri && !(await followedAp(deps.ctx, actorId))) return;
  const note = await remoteNote(object, ictx.documentLoader, actorId);
  if (!note) return;
  if (postUri) return takeReply(deps, note, postUri);
  const notice = noticeOf(note, actorId);
  if (await deps.ctx.store.addInbox(notice)) deps.ctx.events.emit("inbox", notice);
}

/** A followed account's new profile (Update of its actor): the timeline shows the new name and avatar. */
async function onProfile(deps: ContentDeps, ictx: Ictx, update: Update): Promise<void> {
  const actorId = update.actorId?.href;
  const followed = actorId ? await followedAp(deps.ctx, actorId) : undefined;
  if (!followed || update.objectId?.href !== actorId) return;
  const actor = await update.getObject({ documentLoader: ictx.documentLoader }).catch(() => null);
  if (!isActor(actor) || actor.id?.href !== actorId) return;
  const next = { ...followed, profile: await actorSummary(actor) };
  if (await deps.ctx.store.saveFollowed(next, { ifCredential: followed.credentials.followId })) {
    deps.ctx.events.emit("following", followed.id);
  }
}

export async function onUpdate(deps: ContentDeps, ictx: Ictx, update: Update): Promise<void> {
  const actorId = update.actorId?.href;
  if (actorId && update.objectId?.href === actorId) return onProfile(deps, ictx, update);
  const object = await objectOf(ictx, update);
  if (!actorId || !object) return;
  const note = await remoteNote(object, ictx.documentLoader, actorId);
  if (!note) return;
  const reply = await deps.interactions.reply(note.id);
  if (reply) {
    // Only its author edits a reply (the note said so too: remoteNote checked attributedTo).
    if (reply.author.id !== actorId) return;
    await deps.interactions.saveReply({
      ...reply,
      content: note.content,
      ...(note.summary ? { summary: note.summary } : {}),
      updated: note.updated ?? new Date().toISOString(),
    });
    return;
  }
  const stored = await deps.ctx.store.inboxNotice(note.id);
  if (stored?.listeneeUri !== actorId) return;
  const edited = { ...noticeOf(note, actorId), receivedAt: stored.receivedAt };
  if (await deps.ctx.store.updateInbox(edited)) deps.ctx.events.emit("inbox", edited);
}

/** A Delete of a post (not of the actor itself, which inbox.ts handles). */
export async function onDeletePost(deps: ContentDeps, del: Delete): Promise<void> {
  const actorId = del.actorId?.href;
  const objectId = del.objectId?.href;
  if (!actorId || !objectId || objectId === actorId) return;
  if (await deps.interactions.removeReply(objectId, actorId)) {
    deps.ctx.log.info({ reply: objectId }, "a reply was deleted by its author");
  }
  await removeOwnNotice(deps.ctx, objectId, actorId);
}

/** Removes a timeline post (or boost) when `actorId` is the one who sent it. */
async function removeOwnNotice(ctx: Context, uri: string, actorId: string): Promise<void> {
  const stored = await ctx.store.inboxNotice(uri);
  if (stored?.listeneeUri !== actorId) return;
  if (await ctx.store.removeInbox(uri)) ctx.events.emit("inbox", stored);
}

export async function onAnnounce(deps: ContentDeps, ictx: Ictx, announce: Announce): Promise<void> {
  const actorId = announce.actorId?.href;
  const activityId = announce.id?.href;
  const objectId = announce.objectId?.href;
  if (!actorId || !activityId || !objectId) return;
  const postUri = await deps.refs.post(objectId);
  if (postUri) return react(deps, ictx, announce, "boost", postUri);
  if (!isPublic(announce) || !(await followedAp(deps.ctx, actorId))) return;
  const object = await objectOf(ictx, announce);
  const note = object && (await remoteNote(object, ictx.documentLoader));
  if (!note || (await deps.blocks.blocks(note.author.id))) return;
  const booster = await announce
    .getActor({ documentLoader: ictx.documentLoader })
    .catch(() => null);
  if (!booster) return;
  const notice = noticeOf(
    note,
    actorId,
    { boostedBy: await actorSummary(booster), boostedAt: new Date().toISOString() },
    activityId,
  );
  if (await deps.ctx.store.addInbox(notice)) deps.ctx.events.emit("inbox", notice);
}

export async function onLike(deps: ContentDeps, ictx: Ictx, like: Like): Promise<void> {
  const postUri = like.objectId && (await deps.refs.post(like.objectId.href));
  if (postUri) await react(deps, ictx, like, "like", postUri);
}

async function react(
  deps: ContentDeps,
  ictx: Ictx,
  activity: Like | Announce,
  kind: "like" | "boost",
  postUri: string,
) {
  const activityId = activity.id?.href;
  const actor = await activity.getActor({ documentLoader: ictx.documentLoader }).catch(() => null);
  if (!activityId || !actor?.id || actor.id.href !== activity.actorId?.href) return;
  const summary = await actorSummary(actor);
  const r = { kind, activityId, actor: summary, postUri, at: new Date().toISOString() };
  if (await deps.interactions.saveReaction(r)) {
    await notify(deps.ctx.store, { kind, actor: summary, postUri });
  }
}

/** Undo of a Like or an Announce (Undo of a Follow is inbox.ts's). */
export async function onUndoReaction(
  deps: ContentDeps,
  undo: Undo,
  object: unknown,
): Promise<void> {
  const actorId = undo.actorId?.href;
  const activityId = (
    object instanceof Like || object instanceof Announce ? object.id : undo.objectId
  )?.href;
  if (!actorId || !activityId) return;
  let hint: { kind: "like" | "boost"; postUri: string } | undefined;
  if (object instanceof Like || object instanceof Announce) {
    const postUri = object.objectId && (await deps.refs.post(object.objectId.href));
    if (postUri) hint = { kind: object instanceof Like ? "like" : "boost", postUri };
  }
  await deps.interactions.removeReaction(activityId, actorId, hint);
  await removeOwnNotice(deps.ctx, activityId, actorId);
}
