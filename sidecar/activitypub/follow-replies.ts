/**
 * Activities to one actor: Accept and Reject of their Follows, and our own Follow and
 * Undo(Follow) of accounts the site follows (a second instance, its own store prefix).
 * Each activity is written to the store before it is sent, sent
 * at once (signed with the actor's key, through our guarded client), and kept and retried
 * with backoff until the follower's server takes it. Why not Fedify's sendActivity: it
 * POSTs with the global fetch, past our SSRF guard, and without a queue it never retries.
 * Why not the delivery worker: its cursors walk the outbound log that every follower
 * receives; a reply goes to one actor only.
 */
import type { Federation } from "@fedify/fedify";
import { Accept, type Activity, type Follow, Reject } from "@fedify/vocab";
import { activityKey, apUrl } from "../../contract/activitypub-paths.js";
import type { Context } from "../context.js";
import { retryDelayMs } from "../delivery/backoff.js";
import { actorKeyPair } from "./actor-key.js";
import { KnockMemory, postSigned } from "./signed-post.js";

/** Where the answers to Follows wait; `FOLLOWING_PREFIX` for our own Follows and their Undo. */
const PREFIX = "activitypub:reply:";
export const FOLLOWING_PREFIX = "activitypub:following-send:";
const MINUTE = 60_000;
const POLICY = { baseDelayMs: MINUTE, maxDelayMs: 6 * 60 * MINUTE };
/** A reply not taken within this long is dropped (as Mastodon gives up a delivery). */
export const REPLY_GIVE_UP_MS = 3 * 24 * 60 * MINUTE;
/** How often due replies are looked for. */
const TICK_MS = MINUTE;

export type ReplyKind = "Accept" | "Reject" | "Follow" | "Undo";

/** A reply on its way, as stored (one per follower: a newer reply replaces an older one). */
export interface PendingReply {
  kind: ReplyKind;
  actorId: string;
  inbox: string;
  /** The activity as sent, so a retry sends the same id. */
  activity: Record<string, unknown>;
  firstAt: number;
  attempts: number;
  retryAt: number;
  lastError?: string;
}

/** 4xx is final, except these (as for deliveries). */
const RETRYABLE_4XX = new Set([401, 408, 429]);

export class FollowReplies {
  readonly #ctx: Context;
  /** The scheme each inbox origin took: where a reply knocks first. */
  readonly #knocks: KnockMemory;
  readonly #federation: Federation<void>;
  readonly #prefix: string;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;

  constructor(ctx: Context, federation: Federation<void>, prefix = PREFIX) {
    this.#ctx = ctx;
    this.#knocks = new KnockMemory(ctx.config.activitypub.firstKnock);
    this.#federation = federation;
    this.#prefix = prefix;
  }

  #context() {
    return this.#federation.createContext(new URL(this.#ctx.config.publicUrl), undefined);
  }

  /** Builds, records and sends the reply to `follow` from `actorId`; true once delivered. */
  async reply(
    kind: "Accept" | "Reject",
    follow: Follow,
    actorId: string,
    inbox: string,
  ): Promise<boolean> {
    const nickname = (await this.#ctx.siteProfile.cached())?.nickname;
    const followId = follow.id?.href;
    if (!nickname || !followId) throw new Error(`cannot ${kind} a Follow without an id or a site`);
    const fctx = this.#context();
    const values = {
      id: new URL(
        apUrl(this.#ctx.config.publicUrl, "activity", {
          id: activityKey(kind.toLowerCase(), followId),
        }),
      ),
      actor: fctx.getActorUri(nickname),
      object: follow,
      to: new URL(actorId),
    };
    return this.send(
      kind,
      kind === "Accept" ? new Accept(values) : new Reject(values),
      actorId,
      inbox,
    );
  }

  /**
   * Records and sends `activity` to `actorId`'s inbox, retried until taken; true once
   * delivered. A newer activity to the same actor replaces one still waiting.
   */
  async send(
    kind: ReplyKind,
    activity: Activity,
    actorId: string,
    inbox: string,
  ): Promise<boolean> {
    const nickname = (await this.#ctx.siteProfile.cached())?.nickname;
    if (!nickname) throw new Error(`cannot send ${kind} before the site's profile is known`);
    const fctx = this.#context();
    const json = (await activity.toJsonLd({
      format: "compact",
      contextLoader: fctx.contextLoader,
    })) as Record<string, unknown>;
    const now = Date.now();
    const pending: PendingReply = {
      kind,
      actorId,
      inbox,
      activity: json,
      firstAt: now,
      attempts: 0,
      retryAt: now,
    };
    await this.#ctx.store.kvSet(this.#prefix + actorId, pending);
    return this.#attempt(pending, nickname);
  }

  /** Replies not yet taken by their server (for the status page). */
  async pending(): Promise<PendingReply[]> {
    return (await this.#ctx.store.kvList(this.#prefix)).map((e) => e.value as PendingReply);
  }

  /** Forgets the reply to `actorId` (its follower left or was removed). */
  forget(actorId: string): Promise<void> {
    return this.#ctx.store.kvDelete(this.#prefix + actorId);
  }

  /** Looks for due replies every minute (an unref'd timer: it never keeps the process up). */
  start(): void {
    this.#timer ??= setInterval(() => void this.retryDue(), TICK_MS).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Sends every reply whose retry time has come; one round at a time. */
  async retryDue(now = Date.now()): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const due = (await this.pending()).filter((r) => r.retryAt <= now);
      // Only then the profile: before the first sync, asking for it reads the manifest.
      if (due.length === 0) return;
      const nickname = (await this.#ctx.siteProfile.cached())?.nickname;
      if (!nickname) return;
      for (const reply of due) {
        await this.#attempt(reply, nickname);
      }
    } catch (err) {
      this.#ctx.log.warn({ err }, "retrying Follow replies failed; the next round tries again");
    } finally {
      this.#ticking = false;
    }
  }

  async #attempt(reply: PendingReply, nickname: string): Promise<boolean> {
    const keyId = (await this.#context().getActorKeyPairs(nickname))[0]?.keyId;
    if (!keyId) throw new Error("the actor has no key pair");
    const key = { keyId, privateKey: (await actorKeyPair(this.#ctx.store)).privateKey };
    const { actorId, inbox, kind } = reply;
    let error: string;
    let final = false;
    try {
      const body = JSON.stringify(reply.activity);
      const res = await postSigned(this.#ctx.http, inbox, body, key, this.#knocks);
      if (res.status >= 200 && res.status < 300) {
        await this.#settle(reply);
        this.#ctx.log.info({ actor: actorId, inbox, kind }, `sent ${kind}`);
        return true;
      }
      error = `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
      final = res.status >= 400 && res.status < 500 && !RETRYABLE_4XX.has(res.status);
    } catch (err) {
      error = (err as Error).message;
    }
    const attempts = reply.attempts + 1;
    if (final || Date.now() - reply.firstAt > REPLY_GIVE_UP_MS) {
      await this.#settle(reply);
      this.#ctx.log.warn({ actor: actorId, inbox, kind, error }, `gave up sending ${kind}`);
      return false;
    }
    const retryAt = Date.now() + retryDelayMs(attempts, POLICY);
    const next: PendingReply = { ...reply, attempts, retryAt, lastError: error };
    await this.#ctx.store.kvCas(this.#prefix + actorId, reply, next);
    this.#ctx.log.info(
      { actor: actorId, inbox, kind, error, retryAt: new Date(retryAt).toISOString() },
      `sending ${kind} failed; retrying later`,
    );
    return false;
  }

  /** Removes the reply unless a newer one replaced it meanwhile. */
  async #settle(reply: PendingReply): Promise<void> {
    await this.#ctx.store.kvCas(this.#prefix + reply.actorId, reply, undefined);
  }
}
