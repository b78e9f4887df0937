/** In-memory indexes over the tables: followers by destination, the outbound log, issued tokens by source. */
import { destinationOf } from "../store.js";
import type { Follower, OutboundEntry, RequestToken } from "../types.js";
import type { Tables } from "./tables.js";

export class TableIndexes {
  /** Destination key → follower ids there, in insertion order. */
  readonly byDestination = new Map<string, Set<string>>();
  /** Source → its request tokens still "issued", oldest first (insertion order). */
  readonly issuedBySource = new Map<string, Set<string>>();
  #outbound: OutboundEntry[] = [];
  /** Set when entries were pruned from the front; the list is rebuilt on next use. */
  #outboundStale = false;
  readonly #t: Tables;

  constructor(t: Tables) {
    this.#t = t;
    for (const f of t.values<Follower>("followers")) this.#indexFollower(f, true);
    for (const rt of t.values<RequestToken>("requestTokens")) this.#indexToken(rt, true);
    this.#rebuildOutbound();
    t.onChange((table, _key, before, after) => {
      if (table === "followers") {
        if (before) this.#indexFollower(before as Follower, false);
        if (after) this.#indexFollower(after as Follower, true);
      } else if (table === "requestTokens") {
        if (before) this.#indexToken(before as RequestToken, false);
        if (after) this.#indexToken(after as RequestToken, true);
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

  /** The oldest issued tokens of `rt.source` to drop so that `max` remain with `rt`. */
  issuedPastCap(rt: RequestToken, max: number | undefined): string[] {
    if (rt.source === undefined || max === undefined) return [];
    const live = [...(this.issuedBySource.get(rt.source) ?? [])].filter((t) => t !== rt.token);
    return live.slice(0, Math.max(0, live.length - Math.max(1, max) + 1));
  }

  #rebuildOutbound(): void {
    this.#outbound = [...this.#t.values<OutboundEntry>("outbound")].sort((a, b) => a.seq - b.seq);
    this.#outboundStale = false;
  }

  #indexToken(rt: RequestToken, add: boolean): void {
    if (rt.source !== undefined && rt.state === "issued")
      addOrDelete(this.issuedBySource, rt.source, rt.token, add);
  }

  #indexFollower(f: Follower, add: boolean): void {
    addOrDelete(this.byDestination, destinationOf(f).key, f.id, add);
  }
}

/** Adds `value` to the set at `key`, or deletes it (and the set once empty). */
function addOrDelete(
  map: Map<string, Set<string>>,
  key: string,
  value: string,
  add: boolean,
): void {
  let set = map.get(key);
  if (add) {
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    set.add(value);
  } else if (set) {
    set.delete(value);
    if (set.size === 0) map.delete(key);
  }
}
