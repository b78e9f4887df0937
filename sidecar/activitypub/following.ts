/**
 * The site following fediverse accounts: `following add @user@instance` (or an actor URL)
 * finds the actor (WebFinger, then its document), records it as followed and pending, and
 * sends a Follow; the Accept or Reject that comes back (inbox.ts) settles it. Removing the
 * account sends Undo of that Follow. Both go through the one-actor sender with retries.
 */
import { randomUUID } from "node:crypto";
import type { Federation } from "@fedify/fedify";
import { Follow, isActor, Undo } from "@fedify/vocab";
import { activityKey, apUrl } from "../../contract/activitypub-paths.js";
import type { Context } from "../context.js";
import type { Store } from "../store/store.js";
import type { ApFollowed } from "../store/types.js";
import type { FollowReplies } from "./follow-replies.js";
import { actorSummary, safeUrl } from "./remote-actor.js";
import { fetchJrd, HandleError, looksLikeHandle, parseHandle, selfLink } from "./remote-follow.js";

/** Undos of Follows the CLI recorded while no sidecar ran: the next start sends them. */
const UNDO_QUEUE_PREFIX = "activitypub:undo-queued:";

/** Records that the Undo of our Follow of `account` is to be sent (`following remove`, sidecar stopped). */
export async function queueUndo(store: Store, account: ApFollowed): Promise<void> {
  await store.kvSet(UNDO_QUEUE_PREFIX + account.id, account);
}

/** The account could not be followed: what was tried and what to do. */
export class FollowError extends Error {
  override name = "FollowError";
}

export class ApFollowing {
  readonly #ctx: Context;
  readonly #federation: Federation<void>;
  readonly #sender: FollowReplies;

  constructor(ctx: Context, federation: Federation<void>, sender: FollowReplies) {
    this.#ctx = ctx;
    this.#federation = federation;
    this.#sender = sender;
  }

  #context() {
    return this.#federation.createContext(new URL(this.#ctx.config.publicUrl), undefined);
  }

  /** The actor URL `input` names: a handle through WebFinger, or an http(s) URL as it is. */
  async #actorUrl(input: string): Promise<string> {
    const s = input.trim();
    if (!looksLikeHandle(s)) {
      const url = safeUrl(s);
      if (!url)
        throw new FollowError(
          `"${s.slice(0, 100)}" is neither a handle (@user@instance) nor an http(s) actor URL.`,
        );
      return url;
    }
    try {
      const handle = parseHandle(s);
      const jrd = await fetchJrd(this.#ctx.http, handle, {
        allowPrivateNetworks: this.#ctx.config.allowPrivateNetworks,
      });
      return selfLink(jrd, handle.host);
    } catch (e) {
      if (e instanceof HandleError)
        throw new FollowError(`"${s.slice(0, 100)}" is not a handle: ${e.message}`);
      throw new FollowError(`cannot find ${s.slice(0, 100)}: ${(e as Error).message}`);
    }
  }

  /** Follows the account; its record is saved pending, and the Follow sent (retried until taken). */
  async follow(input: string): Promise<{ followed: ApFollowed; delivered: boolean }> {
    const nickname = (await this.#ctx.siteProfile.cached())?.nickname;
    if (!nickname)
      throw new FollowError(
        "the site's profile is not known yet: deploy the site (or run `eleventy-federation sync`) first.",
      );
    const url = await this.#actorUrl(input);
    const fctx = this.#context();
    const loader = await fctx.getDocumentLoader({ identifier: nickname });
    const actor = await fctx.lookupObject(url, { documentLoader: loader }).catch((e: unknown) => {
      throw new FollowError(`cannot fetch the actor at ${url}: ${(e as Error).message}`);
    });
    if (!isActor(actor) || !actor.id) throw new FollowError(`${url} is not an ActivityPub actor.`);
    const inbox = safeUrl(actor.inboxId);
    if (!inbox) throw new FollowError(`the actor ${actor.id.href} has no usable inbox.`);
    if (actor.id.href === fctx.getActorUri(nickname).href)
      throw new FollowError("the site cannot follow itself.");
    const followId = apUrl(this.#ctx.config.publicUrl, "activity", {
      id: activityKey("follow", `${actor.id.href} ${randomUUID()}`),
    });
    const shared = safeUrl(actor.endpoints?.sharedInbox);
    const followed: ApFollowed = {
      protocol: "activitypub",
      id: actor.id.href,
      profile: await actorSummary(actor),
      credentials: { inbox, ...(shared ? { sharedInbox: shared } : {}), followId, accepted: false },
      since: new Date().toISOString(),
    };
    await this.#ctx.store.saveFollowed(followed);
    this.#ctx.events.emit("following", followed.id);
    const activity = new Follow({
      id: new URL(followId),
      actor: fctx.getActorUri(nickname),
      object: actor.id,
      to: actor.id,
    });
    const delivered = await this.#sender.send("Follow", activity, followed.id, inbox);
    this.#ctx.log.info(
      { account: followed.id, delivered },
      "sent a Follow; waiting for its Accept",
    );
    return { followed, delivered };
  }

  /** Sends the Undos `queueUndo` recorded (at start); each goes to the retrying sender. */
  async sendQueuedUndos(): Promise<void> {
    for (const { key, value } of await this.#ctx.store.kvList(UNDO_QUEUE_PREFIX)) {
      const account = value as ApFollowed;
      // Followed again since: that newer Follow stands.
      if (!(await this.#ctx.store.followedAccount(account.id))) await this.undo(account);
      await this.#ctx.store.kvDelete(key);
    }
  }

  /** Sends Undo of our Follow (the store record is already gone: unfollow.ts). */
  async undo(account: ApFollowed): Promise<boolean> {
    const nickname = (await this.#ctx.siteProfile.cached())?.nickname;
    if (!nickname)
      throw new FollowError("the site's profile is not known yet, so no Undo can be signed");
    const fctx = this.#context();
    const actor = fctx.getActorUri(nickname);
    const follow = new Follow({
      id: new URL(account.credentials.followId),
      actor,
      object: new URL(account.id),
    });
    const undo = new Undo({
      id: new URL(
        apUrl(this.#ctx.config.publicUrl, "activity", {
          id: activityKey("undo", account.credentials.followId),
        }),
      ),
      actor,
      object: follow,
      to: new URL(account.id),
    });
    return this.#sender.send("Undo", undo, account.id, account.credentials.inbox);
  }
}
