import type { EventEmitter } from "node:events";
import { OAuthUrlError } from "../../protocol/omb/oauth.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { HttpClient } from "../net/client.js";
import { PreparedEntries } from "../omb/transport/entry-params.js";
import { type PushDeps, type PushResult, pushEntry } from "../omb/transport/push.js";
import type { Store } from "../store/store.js";
import type { DeliveryFailure, Destination, OutboundEntry } from "../store/types.js";
import { type BackoffPolicy, retryDelayMs } from "./backoff.js";
import { DueTimer } from "./due-timer.js";

export interface DeliveryDeps {
  config: Config;
  store: Store;
  http: HttpClient;
  log: Logger;
  /** "outbound" wakes the worker (emitted after each sync that appended entries). */
  events?: EventEmitter;
}

export interface DeliveryCounts {
  delivered: number;
  /**
   * Entries a receiver refused for good (4xx other than 403/408/429), or that cannot be
   * signed at all: recorded, skipped.
   */
  refused: number;
  /** Failed attempts that will be retried. */
  retried: number;
  /** Destinations given up after the give-up horizon. */
  gaveUp: number;
  /** Destinations whose last subscriber revoked us (403). */
  gone: number;
}

export interface DrainOptions {
  /** Also try destinations that were given up (clears their give-up mark first). */
  includeGaveUp?: boolean;
  onProgress?: (counts: Readonly<DeliveryCounts>) => void;
}

/** Entries one destination sends before it yields its slot to the others. */
const ENTRIES_PER_TURN = 32;
/** How long stop() waits for pushes in flight (they are resent after the restart). */
const STOP_WAIT_MS = 5000;
const DAY_MS = 86_400_000;

/**
 * The delivery worker: every destination (distinct postNotice URL) has a cursor into the
 * outbound log, and the worker advances it one entry at a time, at most
 * `delivery.concurrency` destinations at once (so at most that many pushes in flight).
 * The cursor is saved (one journal append) after the receiver's 200 and before the next
 * push to that destination: after a crash, only pushes that were in flight are sent again.
 */
export class DeliveryWorker {
  readonly counts: DeliveryCounts = { delivered: 0, refused: 0, retried: 0, gaveUp: 0, gone: 0 };
  readonly #deps: DeliveryDeps;
  readonly #push: PushDeps;
  readonly #policy: BackoffPolicy;
  readonly #giveUpMs: number;
  readonly #concurrency: number;
  readonly #random: () => number;
  #queue: string[] = [];
  #queueHead = 0;
  readonly #queued = new Set<string>();
  readonly #active = new Set<string>();
  /** Destinations waiting for their retry time. */
  readonly #waiting = new DueTimer((urls) => {
    for (const url of urls) this.#enqueue(url);
  });
  /** In a drain, destinations that failed once are left for later. */
  readonly #failedInDrain = new Set<string>();
  #mode: "idle" | "serve" | "drain" = "idle";
  #stopped = false;
  /** Set once stop() stopped waiting: late answers are not recorded (the store may be closed). */
  #abandoned = false;
  #idleWaiters: (() => void)[] = [];
  #onProgress: DrainOptions["onProgress"];
  readonly #wake = () => this.wake();

  constructor(deps: DeliveryDeps, opts: { random?: () => number } = {}) {
    this.#deps = deps;
    const d = deps.config.delivery;
    this.#policy = { baseDelayMs: d.baseDelaySeconds * 1000, maxDelayMs: d.maxDelaySeconds * 1000 };
    this.#giveUpMs = d.giveUpAfterDays * DAY_MS;
    this.#concurrency = d.concurrency;
    this.#random = opts.random ?? Math.random;
    this.#push = {
      store: deps.store,
      http: deps.http,
      log: deps.log,
      prepared: new PreparedEntries(deps.config.siteUrl),
    };
  }

  /** Runs in the background: resumes every destination, then follows "outbound" events. */
  start(): void {
    if (this.#mode !== "idle") throw new Error("DeliveryWorker: already started");
    this.#mode = "serve";
    this.#deps.events?.on("outbound", this.#wake);
    this.wake();
  }

  /** Looks for destinations behind the head of the log (after a sync, or for tests). */
  wake(): void {
    if (this.#stopped) return;
    const head = this.#deps.store.headSeq();
    for (const d of this.#deps.store.destinations()) this.#consider(d, head);
  }

  /**
   * Sends everything pending now, in the foreground (`eleventy-federation deliver`): every
   * destination behind the head is tried, retry times ignored; one that fails is left for
   * later after that one attempt. Resolves when nothing more can be done in this pass.
   */
  async drain(opts: DrainOptions = {}): Promise<DeliveryCounts> {
    if (this.#mode !== "idle") throw new Error("DeliveryWorker: drain() needs an idle worker");
    this.#mode = "drain";
    this.#failedInDrain.clear();
    this.#onProgress = opts.onProgress;
    if (opts.includeGaveUp) {
      for (const d of this.#deps.store.destinations()) {
        if (d.gaveUpAt) await this.#deps.store.saveDestination(caughtUp(d, d.cursor));
      }
    }
    this.wake();
    await this.idle();
    this.#mode = "idle";
    return { ...this.counts };
  }

  /** Resolves once no destination is being pushed to and none is queued. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops taking work and waits (bounded) for the pushes in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#deps.events?.off("outbound", this.#wake);
    this.#waiting.clear();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, STOP_WAIT_MS);
      }),
    ]);
    clearTimeout(timeout);
    this.#abandoned = true;
  }

  #isIdle(): boolean {
    return this.#active.size === 0 && this.#queueHead >= this.#queue.length;
  }

  #consider(d: Destination, head: number): void {
    const url = d.url;
    if (d.gaveUpAt || d.cursor >= head || this.#active.has(url) || this.#queued.has(url)) return;
    if (this.#mode === "drain") {
      if (!this.#failedInDrain.has(url)) this.#enqueue(url);
      return;
    }
    const due = d.retryAt ? Date.parse(d.retryAt) : 0;
    if (due > Date.now()) this.#wait(url, due);
    else this.#enqueue(url);
  }

  #enqueue(url: string): void {
    if (this.#stopped || this.#queued.has(url) || this.#active.has(url)) return;
    this.#waiting.delete(url);
    this.#queued.add(url);
    this.#queue.push(url);
    this.#pump();
  }

  #pump(): void {
    while (
      !this.#stopped &&
      this.#active.size < this.#concurrency &&
      this.#queueHead < this.#queue.length
    ) {
      const url = this.#queue[this.#queueHead++] as string;
      if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#queueHead);
        this.#queueHead = 0;
      }
      this.#queued.delete(url);
      this.#active.add(url);
      this.#run(url)
        .catch((err: unknown) => {
          this.#deps.log.error({ err, destination: url }, "delivery worker failed");
          this.#wait(url, Date.now() + this.#policy.baseDelayMs);
        })
        .finally(() => {
          this.#active.delete(url);
          this.#afterRun(url);
          this.#pump();
          if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
        });
    }
  }

  /** A destination that is still behind (more entries, or some appended meanwhile) goes again. */
  #afterRun(url: string): void {
    if (this.#stopped || this.#waiting.has(url)) return;
    const d = this.#deps.store.destination(url);
    if (d) this.#consider(d, this.#deps.store.headSeq());
  }

  async #run(url: string): Promise<void> {
    const store = this.#deps.store;
    for (let n = 0; n < ENTRIES_PER_TURN && !this.#stopped; n++) {
      const d = store.destination(url);
      if (!d || d.gaveUpAt) return;
      const entry = store.outboundAfter(d.cursor, 1)[0];
      if (!entry) return;
      let result: PushResult | Unsignable;
      try {
        result = await pushEntry(this.#push, url, entry);
      } catch (err) {
        // Retrying cannot make an unsignable entry signable: it would block the destination.
        if (err instanceof URIError || err instanceof OAuthUrlError) result = unsignable(err);
        else {
          // Anything else unforeseen still goes through backoff, the give-up horizon and
          // the destination's last error, so it shows on the status page.
          this.#deps.log.error(
            { err, destination: url, seq: entry.seq },
            "delivery failed unexpectedly",
          );
          result = {
            kind: "retry",
            error: `unexpected error: ${(err as Error)?.message ?? String(err)}`,
          };
        }
      }
      if (this.#abandoned) return;
      const current = store.destination(url);
      if (!current) {
        if (result.kind === "gone") this.#count("gone");
        return;
      }
      if (!(await this.#record(current, entry, result))) return;
    }
  }

  /** Saves what one push came to; true when the destination may go on to its next entry. */
  async #record(
    d: Destination,
    entry: OutboundEntry,
    result: PushResult | Unsignable,
  ): Promise<boolean> {
    const { store, log } = this.#deps;
    switch (result.kind) {
      case "delivered":
        // Written before the next push here (the crash bound); fsynced with the next batch.
        await store.saveDestination(caughtUp(d, entry.seq), undefined, { durable: false });
        this.#count("delivered");
        return true;
      case "unsignable":
        log.error(
          { destination: d.url, seq: entry.seq, error: result.error },
          "this entry cannot be signed; recorded as a failure, moving on",
        );
        return this.#skip(d, entry, { error: result.error });
      case "refused":
        log.warn(
          {
            destination: d.url,
            subscriber: result.subscriber,
            seq: entry.seq,
            error: result.error,
          },
          "the receiver refused this entry for good; recorded as a failure, moving on",
        );
        return this.#skip(d, entry, {
          subscriber: result.subscriber,
          status: result.status,
          error: result.error,
        });
      case "gone":
        // The store drops a destination with its last subscriber, so this one has none
        // left yet still exists: park it rather than spin on it.
        this.#count("gone");
        this.#wait(d.url, Date.now() + this.#policy.maxDelayMs);
        return false;
      case "retry":
        await this.#failed(d, entry, result);
        return false;
    }
  }

  /** Moves past an entry this destination will never take, recording why. */
  async #skip(
    d: Destination,
    entry: OutboundEntry,
    failure: Pick<DeliveryFailure, "subscriber" | "status" | "error">,
  ): Promise<true> {
    await this.#deps.store.saveDestination(caughtUp(d, entry.seq), {
      destination: d.url,
      seq: entry.seq,
      ...failure,
    });
    this.#count("refused");
    return true;
  }

  async #failed(
    d: Destination,
    entry: OutboundEntry,
    result: Extract<PushResult, { kind: "retry" }>,
  ): Promise<void> {
    const now = Date.now();
    const attempts = d.attempts + 1;
    const failingSince = d.failingSince ?? new Date(now).toISOString();
    const failing = {
      url: d.url,
      cursor: d.cursor,
      attempts,
      failingSince,
      lastError: result.error,
    };
    if (now - Date.parse(failingSince) >= this.#giveUpMs) {
      const days = this.#deps.config.delivery.giveUpAfterDays;
      this.#deps.log.error(
        { destination: d.url, seq: entry.seq, attempts, failingSince, error: result.error },
        `delivery given up: the destination failed for ${days} days`,
      );
      await this.#deps.store.saveDestination(
        { ...failing, gaveUpAt: new Date(now).toISOString() },
        {
          destination: d.url,
          seq: entry.seq,
          ...(result.status === undefined ? {} : { status: result.status }),
          error: `gave up after ${attempts} attempts over ${days} days; last error: ${result.error}`,
        },
      );
      this.#count("gaveUp");
      return;
    }
    const delay = retryDelayMs(attempts, this.#policy, {
      random: this.#random,
      ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
    });
    const due = now + delay;
    this.#deps.log.info(
      { destination: d.url, seq: entry.seq, attempts, retryInMs: delay, error: result.error },
      "delivery failed; will retry",
    );
    await this.#deps.store.saveDestination({ ...failing, retryAt: new Date(due).toISOString() });
    this.#count("retried");
    if (this.#mode === "drain") this.#failedInDrain.add(d.url);
    else this.#wait(d.url, due);
  }

  #count(what: keyof DeliveryCounts): void {
    this.counts[what]++;
    this.#onProgress?.(this.counts);
  }

  #wait(url: string, due: number): void {
    if (!this.#stopped) this.#waiting.set(url, due);
  }
}

/** An entry the signer refused (a value that cannot be encoded, a URL it cannot sign for). */
interface Unsignable {
  kind: "unsignable";
  error: string;
}

function unsignable(err: URIError | OAuthUrlError): Unsignable {
  return {
    kind: "unsignable",
    error: `this entry cannot be signed (${err.name}: ${err.message}); skipped, not retried`,
  };
}

/** The destination after entry `seq` went through: no failure state left. */
function caughtUp(d: Destination, seq: number): Destination {
  return { url: d.url, cursor: seq, attempts: 0 };
}
