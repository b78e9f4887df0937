/** What `eleventy-federation status` reports about deliveries, read from the store. */
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
export async function deliveryStatus(store: Store, failures = 10): Promise<DeliveryStatus> {
  const head = await store.headSeq();
  const destinations = await store.destinations();
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
    subscribers: Object.values(await store.countFollowers()).reduce((a, b) => a + b, 0),
    destinations: destinations.length,
    head,
    pending,
    pendingGaveUp,
    failing,
    gaveUp,
    recentFailures: await store.failures(failures),
    sync: await store.syncState(),
  };
}
