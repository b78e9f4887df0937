/**
 * Replies, likes and boosts of the site's posts, with the owner's moderation: the one module
 * the inbox, the status page, the CLI and the export use. A change that alters what the
 * public post pages show emits "interactions" (the export is rewritten, the build hook
 * called); a new reply waiting for the owner emits "reply-waiting".
 */
import type { Context } from "../context.js";
import type { Store } from "../store/store.js";
import {
  inDomain,
  REACTION_PREFIX,
  REPLY_PREFIX,
  type ReactionKind,
  type ReplyState,
  reactionKey,
  replyKey,
  type StoredReaction,
  type StoredReply,
} from "./records.js";

/** Kept at most, replies and reactions together: anyone can reply, and each is stored. */
export const MAX_INTERACTIONS = 20_000;
/** Replies from one account waiting for the owner at most (a flood waits no longer than that). */
export const MAX_PENDING_PER_ACTOR = 20;

/** The owner asked for a reply that is not there. */
export class InteractionError extends Error {
  override name = "InteractionError";
}

export type AutoApprove = "none" | "followed" | "all";

/** Every reply, oldest first (any state). */
export async function listReplies(store: Store): Promise<StoredReply[]> {
  const all = (await store.kvList(REPLY_PREFIX)).map((e) => e.value as StoredReply);
  return all.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

/** Likes and boosts, oldest first. */
export async function listReactions(store: Store): Promise<StoredReaction[]> {
  const all = (await store.kvList(REACTION_PREFIX)).map((e) => e.value as StoredReaction);
  return all.sort((a, b) => a.at.localeCompare(b.at));
}

export class Interactions {
  readonly #ctx: Pick<Context, "store" | "events" | "log">;

  constructor(ctx: Pick<Context, "store" | "events" | "log">) {
    this.#ctx = ctx;
  }

  replies(): Promise<StoredReply[]> {
    return listReplies(this.#ctx.store);
  }

  async reply(id: string): Promise<StoredReply | undefined> {
    return (await this.#ctx.store.kvGet(replyKey(id))) as StoredReply | undefined;
  }

  reactions(): Promise<StoredReaction[]> {
    return listReactions(this.#ctx.store);
  }

  async #count(): Promise<{ total: number; pendingBy: (actor: string) => number }> {
    const replies = await this.replies();
    const reactions = (await this.#ctx.store.kvList(REACTION_PREFIX)).length;
    return {
      total: replies.length + reactions,
      pendingBy: (actor) =>
        replies.filter((r) => r.state === "pending" && r.author.id === actor).length,
    };
  }

  /**
   * Stores a new reply in `state` ("pending" unless the owner's rule approves it), or its
   * edit when it is stored already (its state kept). False when it was dropped: past the
   * bounds, or an edit by someone else than its author.
   */
  async saveReply(reply: StoredReply): Promise<"added" | "updated" | "dropped"> {
    const key = replyKey(reply.id);
    const existing = await this.reply(reply.id);
    if (existing) {
      if (existing.author.id !== reply.author.id) return "dropped";
      const next = { ...reply, state: existing.state, receivedAt: existing.receivedAt };
      if (!(await this.#ctx.store.kvCas(key, existing, next))) return "dropped";
      if (existing.state === "approved") this.#ctx.events.emit("interactions");
      return "updated";
    }
    const { total, pendingBy } = await this.#count();
    if (total >= MAX_INTERACTIONS) {
      this.#ctx.log.warn(
        { reply: reply.id },
        `${MAX_INTERACTIONS} interactions stored already; a reply was dropped (delete old ones)`,
      );
      return "dropped";
    }
    if (reply.state === "pending" && pendingBy(reply.author.id) >= MAX_PENDING_PER_ACTOR) {
      this.#ctx.log.info(
        { actor: reply.author.id },
        "too many replies of one account waiting; one was dropped",
      );
      return "dropped";
    }
    if (!(await this.#ctx.store.kvCas(key, undefined, reply))) return "dropped";
    if (reply.state === "approved") this.#ctx.events.emit("interactions");
    else this.#ctx.events.emit("reply-waiting", reply);
    return "added";
  }

  /** The owner's decision on a reply; throws InteractionError when there is no such reply. */
  async setState(id: string, state: ReplyState): Promise<StoredReply> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const existing = await this.reply(id);
      if (!existing) throw new InteractionError(`there is no reply ${id}`);
      if (existing.state === state) return existing;
      const next = { ...existing, state };
      if (await this.#ctx.store.kvCas(replyKey(id), existing, next)) {
        if (existing.state === "approved" || state === "approved")
          this.#ctx.events.emit("interactions");
        return next;
      }
    }
    throw new InteractionError(`reply ${id} kept changing; try again`);
  }

  /**
   * Removes a reply (its author deleted it, or the owner did). `byActor`: only when it is
   * theirs. False when there was none.
   */
  async removeReply(id: string, byActor?: string): Promise<boolean> {
    const existing = await this.reply(id);
    if (!existing || (byActor !== undefined && existing.author.id !== byActor)) return false;
    if (!(await this.#ctx.store.kvCas(replyKey(id), existing, undefined))) return false;
    if (existing.state === "approved") this.#ctx.events.emit("interactions");
    return true;
  }

  /** Records a like or boost (one per account and post); false when past the bound. */
  async saveReaction(r: StoredReaction): Promise<boolean> {
    const key = reactionKey(r.kind, r.postUri, r.actor.id);
    const existing = (await this.#ctx.store.kvGet(key)) as StoredReaction | undefined;
    if (!existing && (await this.#count()).total >= MAX_INTERACTIONS) return false;
    await this.#ctx.store.kvSet(key, r);
    if (!existing) this.#ctx.events.emit("interactions");
    return true;
  }

  /** Undoes the like or boost with this activity id, if `actorId` made it; false when none. */
  async removeReaction(
    activityId: string,
    actorId: string,
    hint?: { kind: ReactionKind; postUri: string },
  ): Promise<boolean> {
    const direct = hint ? reactionKey(hint.kind, hint.postUri, actorId) : undefined;
    const found = direct
      ? [{ key: direct, value: await this.#ctx.store.kvGet(direct) }]
      : await this.#ctx.store.kvList(REACTION_PREFIX);
    const hit = found.find((e) => {
      const r = e.value as StoredReaction | undefined;
      return r?.activityId === activityId && r.actor.id === actorId;
    });
    if (!hit) return false;
    await this.#ctx.store.kvCas(hit.key, hit.value, undefined);
    this.#ctx.events.emit("interactions");
    return true;
  }

  /** Everything of one account or domain goes (blocked, or deleted); how many went. */
  async forget(who: { actor?: string; domain?: string }): Promise<number> {
    const matches = (id: string) =>
      id === who.actor || (who.domain !== undefined && inDomain(id, who.domain));
    const entries = [
      ...(await this.#ctx.store.kvList(REPLY_PREFIX)).filter((e) =>
        matches((e.value as StoredReply).author.id),
      ),
      ...(await this.#ctx.store.kvList(REACTION_PREFIX)).filter((e) =>
        matches((e.value as StoredReaction).actor.id),
      ),
    ];
    for (const e of entries) await this.#ctx.store.kvDelete(e.key);
    if (entries.length > 0) this.#ctx.events.emit("interactions");
    return entries.length;
  }
}
