/** In-memory indexes over the tables: followers by destination, the outbound log in order. */
import { destinationOf } from "../store.js";
import type { Follower, OutboundEntry } from "../types.js";
import type { Tables } from "./tables.js";

export class TableIndexes {
  /** Destination key → follower ids there, in insertion order. */
  readonly byDestination = new Map<string, Set<string>>();
  #outbound: OutboundEntry[] = [];
  /** Set when entries were pruned from the front; the list is rebuilt on next use. */
  #outboundStale = false;
  readonly #t: Tables;

  constructor(t: Tables) {
    this.#t = t;
    for (const f of t.values<Follower>("followers")) this.#indexFollower(f, true);
    this.#rebuildOutbound();
    t.onChange((table, _key, before, after) => {
      if (table === "followers") {
        if (before) this.#indexFollower(before as Follower, false);
        if (after) this.#indexFollower(after as Follower, true);
      } else if (table === "outbound") {
        if (after && !before) this.#outbound.push(after as OutboundEntry);
        else if (!after) this.#outboundStale = true;
      }
    });
  }

  /** The outbound log in sequence order (appended only at the end). */
  log(): OutboundEntry[] {
    if (this.#outboundStale) this.#rebuildOutbound();
    return this.#outbound;
  }

  /** Up to `limit` entries with seq > `after`, oldest first (a binary search of the log). */
  entriesAfter(after: number, limit: number): OutboundEntry[] {
    const log = this.log();
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((log[mid]?.seq ?? 0) <= after) lo = mid + 1;
      else hi = mid;
    }
    return log.slice(lo, lo + limit);
  }

  /** Follower ids at a destination other than `except`. */
  othersAt(destination: string, except: string): string[] {
    return [...(this.byDestination.get(destination) ?? [])].filter((id) => id !== except);
  }

  #rebuildOutbound(): void {
    this.#outbound = [...this.#t.values<OutboundEntry>("outbound")].sort((a, b) => a.seq - b.seq);
    this.#outboundStale = false;
  }

  #indexFollower(f: Follower, add: boolean): void {
    const key = destinationOf(f).key;
    let set = this.byDestination.get(key);
    if (add) {
      if (!set) {
        set = new Set();
        this.byDestination.set(key, set);
      }
      set.add(f.id);
    } else if (set) {
      set.delete(f.id);
      if (set.size === 0) this.byDestination.delete(key);
    }
  }
}
