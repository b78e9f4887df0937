/**
 * ActivityPub's transport: each outbound entry as one activity (Create, Update, Delete,
 * Update(Person)), POSTed to one shared inbox (or inbox) per destination, signed with the
 * actor's key through Fedify's request signing (signed-post.ts: draft-cavage first, RFC 9421
 * on a 400/401), retried on Mastodon's schedule, behind a circuit breaker per host.
 */

import { actorId } from "../../../protocol/activitypub/post-object.js";
import { mastodonSchedule, type RetrySchedule } from "../../delivery/backoff.js";
import type { SendResult, Transport, Verdict } from "../../delivery/transport.js";
import { FetchError } from "../../net/client.js";
import type { Destination, NewOutboundEntry, OutboundEntry } from "../../store/types.js";
import type { WingDeps } from "../../wing.js";
import { actorKeyPair } from "../actor-key.js";
import type { SigningKey } from "../document-loader.js";
import { mainKeyId } from "../person.js";
import { KnockMemory, postSigned } from "../signed-post.js";
import { HostBreaker } from "./breaker.js";
import { classifyApResponse } from "./outcome.js";

/** An entry as the activity JSON sent for it, for the actor `nickname`. */
export type RenderActivity = (entry: OutboundEntry, nickname: string) => Promise<string>;

/** An entry's activity JSON and the actor it is from; null before the first sync. */
type Prepared = { nickname: string; body: string } | null;

/** Rendered entries kept: one entry goes to every destination in turn. */
const BODY_CACHE = 64;

export interface ApTransportOptions {
  render: RenderActivity;
  /** Default: Mastodon's (about 2 days over 16 retries). */
  retry?: RetrySchedule;
  breaker?: HostBreaker;
}

export class ApTransport implements Transport {
  readonly protocol = "activitypub" as const;
  readonly retry: RetrySchedule;
  readonly #deps: WingDeps;
  readonly #render: RenderActivity;
  readonly #breaker: HostBreaker;
  /** Each entry rendered once, for the actor named when it was first sent. */
  readonly #prepared = new Map<number, Promise<Prepared>>();
  readonly #knocks: KnockMemory;
  #key: { nickname: string; key: Promise<SigningKey> } | undefined;

  constructor(deps: WingDeps, opts: ApTransportOptions) {
    this.#deps = deps;
    this.#render = opts.render;
    this.retry = opts.retry ?? mastodonSchedule();
    this.#breaker = opts.breaker ?? new HostBreaker({ threshold: 10, openMs: 60_000 });
    this.#knocks = new KnockMemory(deps.config.activitypub.firstKnock);
  }

  /** Every kind goes out: new posts, edits, removals and the profile. */
  verdict(_entry: NewOutboundEntry): Verdict {
    return "send";
  }

  async send(destination: Destination, entry: OutboundEntry): Promise<SendResult> {
    const host = new URL(destination.url).host;
    const blocked = this.#breaker.blockedFor(host);
    if (blocked > 0) {
      return {
        kind: "retry",
        error: `${host} failed 10 times in a row; not tried for ${Math.ceil(blocked / 1000)} s`,
        retryAfterMs: blocked,
      };
    }
    let prepared: Prepared;
    try {
      prepared = await this.#prepare(entry);
    } catch (err) {
      return { kind: "unsendable", error: `the activity could not be built: ${String(err)}` };
    }
    if (!prepared) return { kind: "retry", error: "the site's profile is not known yet (no sync)" };
    const { nickname, body } = prepared;
    let outcome: ReturnType<typeof classifyApResponse>;
    try {
      outcome = classifyApResponse(
        await postSigned(
          this.#deps.http,
          destination.url,
          body,
          await this.#signingKey(nickname),
          this.#knocks,
        ),
      );
    } catch (err) {
      if (!(err instanceof FetchError)) throw err;
      this.#breaker.failed(host);
      return { kind: "retry", error: `${err.code}: ${err.message}` };
    }
    if (outcome.kind === "retry" && outcome.status >= 500) this.#breaker.failed(host);
    else this.#breaker.succeeded(host);
    if (outcome.kind === "gone") return this.#gone(destination, entry, outcome.error);
    return outcome;
  }

  /** 410 Gone: nobody receives at this inbox any more; its followers are removed. */
  async #gone(destination: Destination, entry: OutboundEntry, error: string): Promise<SendResult> {
    const store = this.#deps.store;
    const followers = await store.followersAt(destination.key);
    this.#deps.log.warn(
      { destination: destination.url, followers: followers.length, seq: entry.seq },
      "the inbox answered 410 Gone: removing the followers who received there",
    );
    for (const f of followers) {
      await store.removeFollower(f.id, {
        failure: {
          destination: destination.url,
          protocol: "activitypub",
          subscriber: f.id,
          seq: entry.seq,
          status: 410,
          error: `follower removed: their inbox is gone (${error})`,
        },
      });
    }
    return { kind: "gone" };
  }

  #prepare(entry: OutboundEntry): Promise<Prepared> {
    let prepared = this.#prepared.get(entry.seq);
    if (!prepared) {
      prepared = (async () => {
        const nickname = (await this.#deps.store.syncState()).profile?.nickname;
        return nickname ? { nickname, body: await this.#render(entry, nickname) } : null;
      })();
      const forget = () => this.#prepared.delete(entry.seq);
      // Not kept when it failed or the profile was not known yet: the next send tries again.
      prepared.then((p) => p ?? forget(), forget);
      if (this.#prepared.size >= BODY_CACHE) this.#prepared.clear();
      this.#prepared.set(entry.seq, prepared);
    }
    return prepared;
  }

  #signingKey(nickname: string): Promise<SigningKey> {
    if (this.#key?.nickname !== nickname) {
      const keyId = mainKeyId(actorId({ sidecarUrl: this.#deps.config.publicUrl, nickname }));
      const key = actorKeyPair(this.#deps.store).then((p) => ({ keyId, privateKey: p.privateKey }));
      this.#key = { nickname, key };
    }
    return this.#key.key;
  }
}
