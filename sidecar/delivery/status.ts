/** How deliveries stand, read from the store: what `status` and the owner's status page show. */
import type { Store } from "../store/store.js";
import type {
  DailyDeliveries,
  DeliveryFailure,
  Destination,
  OutboundEntry,
  Protocol,
  SyncState,
} from "../store/types.js";

/** Days of delivery counts the status shows. */
export const STATUS_DAYS = 14;
/** Outbound entries listed with how far each has gone out. */
const RECENT_ENTRIES = 10;

/**
 * Where one destination stands: "sending" (behind and due now, or in flight), "retrying"
 * (behind, waiting for its next attempt), "waiting" (its protocol is switched off here),
 * "given up", "up to date".
 */
export type DestinationStateName = "up to date" | "sending" | "retrying" | "waiting" | "given up";

export interface DestinationState extends Destination {
  state: DestinationStateName;
  /** Entries still to send here: head − cursor. */
  behind: number;
  /**
   * While a fan-out runs (some live destination is behind): the entries of it this
   * destination has passed (`done`) of all of them (`of`), counted from `DeliveryStatus.fanOutFrom`.
   */
  progress?: { done: number; of: number };
}

/** One outbound entry and how far it has gone out. */
export interface EntryReach {
  seq: number;
  kind: OutboundEntry["kind"];
  addedAt: string;
  /** The post's title or text, the removed post's URL, or "profile". */
  label: string;
  /** Destinations whose cursor is at or past it (delivered, refused, or a kind they do not carry). */
  reached: number;
  /** Destinations there are. */
  of: number;
}

export interface DeliveryStatus {
  subscribers: number;
  destinations: number;
  /** Sequence number of the newest outbound entry. */
  head: number;
  /** Entries still to send: the sum over live destinations of head − cursor. */
  pending: number;
  /** Entries that given-up destinations will not get unless revived (`deliver --include-gave-up`). */
  pendingGaveUp: number;
  /** Destinations retrying (attempts > 0), most attempts first. */
  failing: Destination[];
  gaveUp: Destination[];
  /** Permanent failures (refused entries, revoked subscriptions, give-ups), newest first. */
  recentFailures: DeliveryFailure[];
  sync: SyncState;
  /** Every destination with its state: the ones sending first, then retrying, then the rest. */
  destinationStates: DestinationState[];
  /**
   * The cursor of the live destination furthest behind, while one is: the fan-out under way
   * is the entries after it. Absent when every live destination is up to date.
   */
  fanOutFrom?: number;
  /** The newest outbound entries still in the log (delivered ones are pruned), newest first. */
  recentEntries: EntryReach[];
  /** Delivery outcomes of the last STATUS_DAYS UTC days, oldest first. */
  days: DailyDeliveries[];
}

export interface StatusOptions {
  /** Whether this process speaks a protocol (the running sidecar knows; a command does not). */
  speaks?: (protocol: Protocol) => boolean;
  now?: number;
}

const ORDER: Record<DestinationStateName, number> = {
  sending: 0,
  retrying: 1,
  waiting: 2,
  "given up": 3,
  "up to date": 4,
};

function stateOf(d: Destination, head: number, opts: StatusOptions, now: number) {
  if (d.gaveUpAt) return "given up";
  if (d.cursor >= head) return "up to date";
  if (opts.speaks && !opts.speaks(d.protocol)) return "waiting";
  return d.retryAt && Date.parse(d.retryAt) > now ? "retrying" : "sending";
}

/** A line naming an entry: the owner's own post, so only its text is needed. */
function labelOf(e: OutboundEntry): string {
  switch (e.kind) {
    case "notice":
    case "update":
      return e.notice.title || e.notice.content;
    case "delete":
      return e.url;
    case "profile":
      return "profile";
  }
}

/** Reads only (works on a read-only store). */
export async function deliveryStatus(
  store: Store,
  failures = 10,
  opts: StatusOptions = {},
): Promise<DeliveryStatus> {
  const now = opts.now ?? Date.now();
  const head = await store.headSeq();
  const destinations = await store.destinations();
  let pending = 0;
  let pendingGaveUp = 0;
  let fanOutFrom: number | undefined;
  const failing: Destination[] = [];
  const gaveUp: Destination[] = [];
  for (const d of destinations) {
    const behind = Math.max(0, head - d.cursor);
    if (d.gaveUpAt) {
      pendingGaveUp += behind;
      gaveUp.push(d);
    } else {
      pending += behind;
      if (d.attempts > 0) failing.push(d);
      if (behind > 0) fanOutFrom = Math.min(fanOutFrom ?? d.cursor, d.cursor);
    }
  }
  failing.sort((a, b) => b.attempts - a.attempts);
  const destinationStates = destinations
    .map((d): DestinationState => {
      const s: DestinationState = {
        ...d,
        state: stateOf(d, head, opts, now),
        behind: Math.max(0, head - d.cursor),
      };
      if (fanOutFrom !== undefined && !d.gaveUpAt) {
        s.progress = { done: Math.max(0, d.cursor - fanOutFrom), of: head - fanOutFrom };
      }
      return s;
    })
    .sort((a, b) => ORDER[a.state] - ORDER[b.state] || b.behind - a.behind);
  const entries = await store.outboundAfter(Math.max(0, head - RECENT_ENTRIES), RECENT_ENTRIES);
  const recentEntries = entries.reverse().map(
    (e): EntryReach => ({
      seq: e.seq,
      kind: e.kind,
      addedAt: e.addedAt,
      label: labelOf(e),
      reached: destinations.filter((d) => d.cursor >= e.seq).length,
      of: destinations.length,
    }),
  );
  return {
    subscribers: Object.values(await store.countFollowers()).reduce((a, b) => a + b, 0),
    destinations: destinations.length,
    head,
    pending,
    pendingGaveUp,
    failing,
    gaveUp,
    recentFailures: await store.failures(failures),
    sync: await store.syncState(),
    destinationStates,
    ...(fanOutFrom === undefined ? {} : { fanOutFrom }),
    recentEntries,
    days: await store.dailyDeliveries(STATUS_DAYS),
  };
}
