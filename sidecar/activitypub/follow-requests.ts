/**
 * Follows held for the owner (manuallyApprovesFollowers): kept in the store until approved
 * (the follower is saved and Accept sent), rejected (Reject sent) or expired. The module API
 * the status page and the CLI use.
 */
import { Follow } from "@fedify/vocab";
import type { Context } from "../context.js";
import { notifyFollower } from "../interactions/notifications.js";
import type { Store } from "../store/store.js";
import type { ApFollower } from "../store/types.js";
import type { FollowReplies } from "./follow-replies.js";

const PREFIX = "activitypub:follow-request:";
/** Held requests expire after this (Mastodon keeps them until handled; the owner may be away). */
export const REQUEST_TTL_MS = 90 * 24 * 3600_000;
/** At most this many are held: anyone with an actor can ask, and each is stored. */
export const MAX_FOLLOW_REQUESTS = 1000;

export interface FollowRequest {
  /** The follower as it will be saved on approval. */
  follower: ApFollower;
  /** The Follow as received (JSON-LD), embedded in the Accept or Reject. */
  follow: unknown;
  receivedAt: string;
}

/** Requests waiting for the owner, oldest first (also for a CLI that reads the store). */
export async function listFollowRequests(store: Store): Promise<FollowRequest[]> {
  const all = (await store.kvList(PREFIX)).map((e) => e.value as FollowRequest);
  return all.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

/** The owner's answer could not be given: which request, and why. */
export class FollowRequestError extends Error {
  override name = "FollowRequestError";
}

export class FollowRequests {
  readonly #ctx: Context;
  readonly #replies: FollowReplies;

  constructor(ctx: Context, replies: FollowReplies) {
    this.#ctx = ctx;
    this.#replies = replies;
  }

  /** Requests waiting for the owner, oldest first. */
  list(): Promise<FollowRequest[]> {
    return listFollowRequests(this.#ctx.store);
  }

  /** Holds a request (a newer Follow from the same actor replaces theirs); false when full. */
  async hold(follower: ApFollower, follow: Follow): Promise<boolean> {
    const key = PREFIX + follower.id;
    const existing = await this.#ctx.store.kvGet(key);
    if (!existing && (await this.#ctx.store.kvList(PREFIX)).length >= MAX_FOLLOW_REQUESTS) {
      return false;
    }
    const request: FollowRequest = {
      follower,
      follow: await follow.toJsonLd({ format: "compact" }),
      receivedAt: new Date().toISOString(),
    };
    await this.#ctx.store.kvSet(key, request, { ttlMs: REQUEST_TTL_MS });
    return true;
  }

  /** Drops a request without an answer (its actor undid the Follow, or was deleted). */
  drop(actorId: string): Promise<void> {
    return this.#ctx.store.kvDelete(PREFIX + actorId);
  }

  /** Saves the follower and sends Accept; true once their server took it (else retried). */
  async approve(actorId: string): Promise<boolean> {
    const request = await this.#take(actorId);
    if ((await this.#ctx.store.saveFollower(request.follower)) === "added") {
      await notifyFollower(this.#ctx.store, request.follower);
    }
    return this.#answer("Accept", request);
  }

  /** Sends Reject; true once their server took it (else retried). */
  async reject(actorId: string): Promise<boolean> {
    return this.#answer("Reject", await this.#take(actorId));
  }

  async #take(actorId: string): Promise<FollowRequest> {
    const request = (await this.#ctx.store.kvGet(PREFIX + actorId)) as FollowRequest | undefined;
    if (!request) {
      throw new FollowRequestError(
        `eleventy-federation: no follow request from ${actorId} is waiting (answered already, expired, or never received). \`eleventy-federation followers requests\` lists them.`,
      );
    }
    await this.drop(actorId);
    return request;
  }

  async #answer(kind: "Accept" | "Reject", request: FollowRequest): Promise<boolean> {
    const follow = await Follow.fromJsonLd(request.follow);
    const { id, credentials } = request.follower;
    return this.#replies.reply(kind, follow, id, credentials.inbox);
  }
}
