/**
 * What the fediverse did with the site's posts, as the store keeps it (kv entries, so every
 * backend holds them and `store copy` moves them): replies with their moderation state, and
 * likes and boosts, one per account and post.
 */
import { createHash } from "node:crypto";
import type { ActorSummary } from "../store/types.js";

/** pending: waits for the owner; approved: shown on the post page; hidden: kept, not shown. */
export type ReplyState = "pending" | "approved" | "hidden";

export interface StoredReply {
  /** The reply's object id. */
  id: string;
  url: string;
  /** What it answers, as the reply says it (our post's id or URL, or another reply's id). */
  inReplyTo: string;
  /** The manifest URI of the site post whose thread it belongs to. */
  postUri: string;
  author: ActorSummary;
  /** Sanitized HTML. */
  content: string;
  summary?: string;
  published: string;
  updated?: string;
  receivedAt: string;
  state: ReplyState;
}

export type ReactionKind = "like" | "boost";

export interface StoredReaction {
  kind: ReactionKind;
  /** The Like or Announce activity's id (what an Undo names). */
  activityId: string;
  actor: ActorSummary;
  postUri: string;
  at: string;
}

export const INTERACTIONS_PREFIX = "interactions:";
export const REPLY_PREFIX = `${INTERACTIONS_PREFIX}reply:`;
export const REACTION_PREFIX = `${INTERACTIONS_PREFIX}reaction:`;

/** A short stable key part for a URL (kv keys stay bounded whatever the URL). */
export function keyPart(url: string): string {
  return createHash("sha256").update(url).digest("hex").slice(0, 32);
}

export const replyKey = (id: string) => REPLY_PREFIX + keyPart(id);

/** One reaction of a kind per account and post: a second Like of the same post replaces the first. */
export const reactionKey = (kind: ReactionKind, postUri: string, actorId: string) =>
  `${REACTION_PREFIX}${kind}:${keyPart(postUri)}:${keyPart(actorId)}`;

/** The host of a URL, lower-case ("" when it is none): what a domain block names. */
export function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname.toLowerCase() : "";
}

/** True when `url`'s host is `domain` or one of its subdomains (what a domain block matches). */
export function inDomain(url: string, domain: string): boolean {
  const host = hostOf(url);
  return host !== "" && (host === domain || host.endsWith(`.${domain}`));
}
