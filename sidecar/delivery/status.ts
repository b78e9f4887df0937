import type { Store } from "../store/store.js";
import type { DeliveryFailure, Destination, SyncState } from "../store/types.js";

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
}

/** What `eleventy-federation status` shows; reads only (works on a read-only store). */
export function deliveryStatus(store: Store, failures = 10): DeliveryStatus {
  const head = store.headSeq();
  const destinations = store.destinations();
  let pending = 0;
  let pendingGaveUp = 0;
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
    }
  }
  failing.sort((a, b) => b.attempts - a.attempts);
  return {
    subscribers: store.subscribers().length,
    destinations: destinations.length,
    head,
    pending,
    pendingGaveUp,
    failing,
    gaveUp,
    recentFailures: store.failures(failures),
    sync: store.syncState(),
  };
}
