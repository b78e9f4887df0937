/** What the worker writes after one send: the cursor moved, a failure kept, a retry time, a give-up. */
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";
import type { DeliveryFailure, Destination, OutboundEntry } from "../store/types.js";
import type { RetrySchedule } from "./backoff.js";
import type { SendResult } from "./transport.js";

const DAY_MS = 86_400_000;

export interface RecordDeps {
  store: Store;
  log: Logger;
  /** How a destination of each protocol is retried and given up. */
  scheduleFor(protocol: Destination["protocol"]): RetrySchedule;
  /** How long a destination left without followers is parked. */
  parkMs: number;
  random: () => number;
}

export interface Recorded {
  /** The destination may go on to its next entry now. */
  next: boolean;
  count?: "delivered" | "refused" | "retried" | "gaveUp" | "gone" | "skipped";
  /** Try this destination again at this time (ms). */
  retryAt?: number;
}

export async function recordOutcome(
  deps: RecordDeps,
  d: Destination,
  entry: OutboundEntry,
  result: SendResult | "skip",
): Promise<Recorded> {
  const { store, log } = deps;
  if (result === "skip") {
    await store.updateDestination(caughtUp(d, entry.seq), { durable: false });
    return { next: true, count: "skipped" };
  }
  switch (result.kind) {
    case "delivered":
      // Written before the next send here (the crash bound); fsynced with the next batch.
      await store.updateDestination(caughtUp(d, entry.seq), { durable: false, count: "delivered" });
      return { next: true, count: "delivered" };
    case "unsendable":
      log.error(
        { destination: d.key, seq: entry.seq, error: result.error },
        "this entry cannot be signed; recorded as a failure, moving on",
      );
      return skip(store, d, entry, { error: result.error });
    case "refused":
      log.warn(
        { destination: d.key, subscriber: result.subscriber, seq: entry.seq, error: result.error },
        "the receiver refused this entry for good; recorded as a failure, moving on",
      );
      return skip(store, d, entry, {
        ...(result.subscriber === undefined ? {} : { subscriber: result.subscriber }),
        ...(result.status === undefined ? {} : { status: result.status }),
        error: result.error,
      });
    case "gone":
      // The store drops a destination with its last follower, so this one has none left
      // yet still exists: park it rather than spin on it.
      return { next: false, count: "gone", retryAt: Date.now() + deps.parkMs };
    case "retry":
      return failed(deps, d, entry, result);
  }
}

/** Moves past an entry this destination will never take, recording why. */
async function skip(
  store: Store,
  d: Destination,
  entry: OutboundEntry,
  failure: Pick<DeliveryFailure, "subscriber" | "status" | "error">,
): Promise<Recorded> {
  await store.updateDestination(caughtUp(d, entry.seq), {
    failure: { destination: d.url, protocol: d.protocol, seq: entry.seq, ...failure },
    count: "refused",
  });
  return { next: true, count: "refused" };
}

/** A failed attempt: a retry time with backoff, or past the horizon, a give-up. */
async function failed(
  deps: RecordDeps,
  d: Destination,
  entry: OutboundEntry,
  result: Extract<SendResult, { kind: "retry" }>,
): Promise<Recorded> {
  const now = Date.now();
  const attempts = d.attempts + 1;
  const failingSince = d.failingSince ?? new Date(now).toISOString();
  const failing: Destination = {
    ...caughtUp(d, d.cursor),
    attempts,
    failingSince,
    lastError: result.error,
  };
  const schedule = deps.scheduleFor(d.protocol);
  const days = Math.round(((now - Date.parse(failingSince)) / DAY_MS) * 10) / 10;
  if (
    now - Date.parse(failingSince) >= schedule.giveUpAfterDays * DAY_MS ||
    attempts >= (schedule.maxAttempts ?? Number.POSITIVE_INFINITY)
  ) {
    deps.log.error(
      { destination: d.key, seq: entry.seq, attempts, failingSince, error: result.error },
      `delivery given up: the destination failed ${attempts} times over ${days} days`,
    );
    await deps.store.updateDestination(
      { ...failing, gaveUpAt: new Date(now).toISOString() },
      {
        failure: {
          destination: d.url,
          protocol: d.protocol,
          seq: entry.seq,
          ...(result.status === undefined ? {} : { status: result.status }),
          error: `gave up after ${attempts} attempts over ${days} days; last error: ${result.error}`,
        },
        count: "gaveUp",
      },
    );
    return { next: false, count: "gaveUp" };
  }
  const delay = schedule.delayMs(attempts, {
    random: deps.random,
    ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
  });
  deps.log.info(
    { destination: d.key, seq: entry.seq, attempts, retryInMs: delay, error: result.error },
    "delivery failed; will retry",
  );
  await deps.store.updateDestination(
    { ...failing, retryAt: new Date(now + delay).toISOString() },
    { count: "retried" },
  );
  return { next: false, count: "retried", retryAt: now + delay };
}

/** The destination after entry `seq` went through: no failure state left. */
export function caughtUp(d: Destination, seq: number): Destination {
  return { key: d.key, protocol: d.protocol, url: d.url, cursor: seq, attempts: 0 };
}
