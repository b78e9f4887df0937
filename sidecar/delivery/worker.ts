/** The protocol-neutral delivery worker: a cursor per destination, backoff, give-up, counts. */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Config } from "../config.js";
import type { SidecarEvents } from "../events.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";
import type { Destination, OutboundEntry } from "../store/types.js";
import { type BackoffPolicy, exponentialSchedule } from "./backoff.js";
import { DueTimer } from "./due-timer.js";
import { KeyQueue } from "./key-queue.js";
import { caughtUp, type RecordDeps, recordOutcome } from "./record.js";
import type { SendResult, Transports, Verdict } from "./transport.js";

export interface DeliveryDeps {
  config: Config;
  store: Store;
  log: Logger;
  transports: Transports;
  /** "outbound" wakes the worker (emitted after each sync that appended entries). */
  events?: SidecarEvents;
}

export interface DeliveryCounts {
  delivered: number;
  /**
   * Entries a receiver refused for good (a final 4xx), or that cannot be signed at all:
   * recorded, skipped.
   */
  refused: number;
  /** Failed attempts that will be retried. */
  retried: number;
  /** Destinations given up after the give-up horizon. */
  gaveUp: number;
  /** Destinations whose last follower revoked us or is gone. */
  gone: number;
  /** Entries a destination's protocol does not carry (OMB and edits), passed over. */
  skipped: number;
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

/** Verdicts remembered per protocol and entry: a fan-out asks for the same few entries. */
const VERDICT_CACHE = 1024;

/**
 * The delivery worker: every destination has a cursor into the outbound log, and the
 * worker advances it one entry at a time through the destination's protocol transport, at
 * most `delivery.concurrency` destinations at once (so at most that many sends in flight).
 * The cursor is saved (one store write) after the receiver's success and before the next
 * send there: after a crash, only sends that were in flight are made again.
 */
export class DeliveryWorker {
  readonly counts: DeliveryCounts = {
    delivered: 0,
    refused: 0,
    retried: 0,
    gaveUp: 0,
    gone: 0,
    skipped: 0,
  };
  readonly #deps: DeliveryDeps;
  readonly #verdicts = new Map<string, Verdict>();
  readonly #policy: BackoffPolicy;
  readonly #recordDeps: RecordDeps;
  readonly #concurrency: number;
  readonly #queue = new KeyQueue();
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
  /** Who this worker is in destination claims (a store shared by processes). */
  readonly #owner = `${hostname()}:${process.pid}:${randomBytes(6).toString("hex")}`;
  #unlisten: (() => void) | undefined;
  #onProgress: DrainOptions["onProgress"];
  /** Wakes run one after another; idle() waits for the last. */
  #waking: Promise<void> = Promise.resolve();
  readonly #wake = () => this.wake();

  constructor(deps: DeliveryDeps, opts: { random?: () => number } = {}) {
    this.#deps = deps;
    const d = deps.config.delivery;
    this.#policy = { baseDelayMs: d.baseDelaySeconds * 1000, maxDelayMs: d.maxDelaySeconds * 1000 };
    this.#concurrency = d.concurrency;
    this.#recordDeps = {
      store: deps.store,
      log: deps.log,
      scheduleFor: (protocol) =>
        deps.transports.get(protocol)?.retry ??
        exponentialSchedule(this.#policy, d.giveUpAfterDays),
      parkMs: this.#policy.maxDelayMs,
      random: opts.random ?? Math.random,
    };
  }

  /** Runs in the background: resumes every destination, then follows "outbound" events. */
  start(): void {
    if (this.#mode !== "idle") throw new Error("DeliveryWorker: already started");
    this.#mode = "serve";
    this.#deps.events?.on("outbound", this.#wake);
    // Entries appended by another process on a shared store wake this one too.
    this.#unlisten = this.#deps.store.onOutbound?.(this.#wake);
    this.wake();
  }

  /** Looks for destinations behind the head of the log (after a sync, or for tests). */
  wake(): void {
    if (this.#stopped) return;
    this.#waking = this.#waking
      .then(async () => {
        const head = await this.#deps.store.headSeq();
        for (const d of await this.#deps.store.destinations()) this.#consider(d, head);
      })
      .catch((err: unknown) => this.#deps.log.error({ err }, "delivery worker: wake failed"));
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
      for (const d of await this.#deps.store.destinations()) {
        if (d.gaveUpAt) await this.#deps.store.updateDestination(caughtUp(d, d.cursor));
      }
    }
    this.wake();
    await this.idle();
    this.#mode = "idle";
    return { ...this.counts };
  }

  /** Resolves once no destination is being sent to and none is queued. */
  async idle(): Promise<void> {
    await this.#waking;
    if (this.#isIdle()) return;
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops taking work and waits (bounded) for the pushes in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#deps.events?.off("outbound", this.#wake);
    this.#unlisten?.();
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
    return this.#active.size === 0 && this.#queue.size === 0;
  }

  #consider(d: Destination, head: number): void {
    const url = d.key;
    if (d.gaveUpAt || d.cursor >= head || this.#active.has(url) || this.#queue.has(url)) return;
    if (this.#mode === "drain") {
      if (!this.#failedInDrain.has(url)) this.#enqueue(url);
      return;
    }
    const due = d.retryAt ? Date.parse(d.retryAt) : 0;
    if (due > Date.now()) this.#wait(url, due);
    else this.#enqueue(url);
  }

  #enqueue(url: string): void {
    if (this.#stopped || this.#active.has(url)) return;
    this.#waiting.delete(url);
    if (this.#queue.push(url)) this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#active.size < this.#concurrency && this.#queue.size > 0) {
      const key = this.#queue.shift() as string;
      this.#active.add(key);
      this.#run(key)
        .catch((err: unknown) => {
          this.#deps.log.error({ err, destination: key }, "delivery worker failed");
          this.#wait(key, Date.now() + this.#policy.baseDelayMs);
        })
        .then(() => this.#stillBehind(key))
        .catch(() => undefined)
        .then((again) => {
          this.#active.delete(key);
          if (again) this.#consider(again.d, again.head);
          this.#pump();
          if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
        });
    }
  }

  /** A destination that is still behind (more entries, or some appended meanwhile) goes again. */
  async #stillBehind(key: string): Promise<{ d: Destination; head: number } | undefined> {
    if (this.#stopped || this.#waiting.has(key)) return undefined;
    const d = await this.#deps.store.destination(key);
    return d && { d, head: await this.#deps.store.headSeq() };
  }

  /** One turn at a destination; in a store shared by processes, under this worker's claim. */
  async #run(key: string): Promise<void> {
    const store = this.#deps.store;
    if (!store.claimDestination) return this.#turn(key);
    try {
      await this.#turn(key);
    } finally {
      // Released at once, so another process need not wait out the lease.
      await store.releaseDestination?.(key, this.#owner).catch(() => undefined);
    }
  }

  /**
   * False when another process holds `key`: looked at again once its claim could lapse. A
   * claim (`delivery.claimSeconds`) is renewed before each entry, so it only lapses when its
   * process died; one send is bounded by the client's total timeout, well under it.
   */
  async #claimed(key: string): Promise<boolean> {
    const claim = this.#deps.store.claimDestination;
    if (!claim) return true;
    const leaseMs = this.#deps.config.delivery.claimSeconds * 1000;
    if (await claim.call(this.#deps.store, key, this.#owner, leaseMs)) return true;
    this.#wait(key, Date.now() + leaseMs);
    return false;
  }

  async #turn(key: string): Promise<void> {
    const store = this.#deps.store;
    if (!(await this.#claimed(key))) return;
    // Renewed when half the lease has gone by (one send is bounded well under it).
    let renewAt = Date.now() + (this.#deps.config.delivery.claimSeconds * 1000) / 2;
    let d = await store.destination(key);
    if (!d || d.gaveUpAt) return;
    // The entries of this turn in one read: entries never change once appended.
    const entries = await store.outboundAfter(d.cursor, ENTRIES_PER_TURN);
    for (const entry of entries) {
      if (this.#stopped) return;
      if (Date.now() >= renewAt) {
        if (!(await this.#claimed(key))) return;
        renewAt = Date.now() + (this.#deps.config.delivery.claimSeconds * 1000) / 2;
      }
      const transport = this.#deps.transports.get(d.protocol);
      if (!transport) {
        // A wing switched off: its destinations wait, cursors kept, until it is back.
        this.#wait(key, Date.now() + this.#policy.maxDelayMs);
        return;
      }
      let result: SendResult | "skip";
      if (this.#verdict(d, entry) !== "send") result = "skip";
      else {
        try {
          result = await transport.send(d, entry);
        } catch (err) {
          // Anything unforeseen still goes through backoff, the give-up horizon and the
          // destination's last error, so it shows on the status page.
          this.#deps.log.error(
            { err, destination: key, seq: entry.seq },
            "delivery failed unexpectedly",
          );
          result = {
            kind: "retry",
            error: `unexpected error: ${(err as Error)?.message ?? String(err)}`,
          };
        }
      }
      if (this.#abandoned) return;
      const current = await store.destination(key);
      if (!current) {
        if (result !== "skip" && result.kind === "gone") this.#count("gone");
        return;
      }
      // Moved meanwhile (a re-added destination starts over at the head): the next turn.
      if (current.cursor !== d.cursor || current.gaveUpAt) return;
      if (!(await this.#record(current, entry, result))) return;
      d = caughtUp(current, entry.seq);
    }
  }

  #verdict(d: Destination, entry: OutboundEntry): Verdict {
    const id = `${d.protocol}:${entry.seq}`;
    let v = this.#verdicts.get(id);
    if (v === undefined) {
      v = this.#deps.transports.get(d.protocol)?.verdict(entry) ?? "skip";
      if (this.#verdicts.size >= VERDICT_CACHE) this.#verdicts.clear();
      this.#verdicts.set(id, v);
    }
    return v;
  }

  /** Saves what one send came to; true when the destination may go on to its next entry. */
  async #record(
    d: Destination,
    entry: OutboundEntry,
    result: SendResult | "skip",
  ): Promise<boolean> {
    const r = await recordOutcome(this.#recordDeps, d, entry, result);
    if (r.count) this.#count(r.count);
    if (r.retryAt !== undefined) {
      if (this.#mode === "drain" && r.count === "retried") this.#failedInDrain.add(d.key);
      else this.#wait(d.key, r.retryAt);
    }
    return r.next;
  }

  #count(what: keyof DeliveryCounts): void {
    this.counts[what]++;
    this.#onProgress?.(this.counts);
  }

  #wait(key: string, due: number): void {
    if (!this.#stopped) this.#waiting.set(key, due);
  }
}
