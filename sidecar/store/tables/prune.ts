/** What a compaction may forget: expired nonces, tokens, flows and key–value entries, delivered log entries. */
import type { Destination, PendingSubscription, RequestToken } from "../types.js";
import { expiredDailyOps } from "./daily-deliveries.js";
import type { TableIndexes } from "./indexes.js";
import { expiredKvOps } from "./kv-ops.js";
import type { Op, Tables } from "./tables.js";

const HOUR = 3600_000;
/** Request tokens of abandoned subscribe flows are dropped after this long. */
export const REQUEST_TOKEN_TTL = 24 * HOUR;
/** Subscribe flows not finished within this time are dropped. */
export const PENDING_TTL = HOUR;
/** Failures kept for the owner to read; the oldest go first. */
export const MAX_FAILURES = 10_000;

export function pruneOps(t: Tables, ix: TableIndexes, now = Date.now()): Op[] {
  const ops: Op[] = [];
  for (const [k, exp] of t.maps.nonces) if ((exp as number) <= now) ops.push(["nonces", k, null]);
  for (const rt of t.values<RequestToken>("requestTokens")) {
    if (now - Date.parse(rt.createdAt) > REQUEST_TOKEN_TTL)
      ops.push(["requestTokens", rt.token, null]);
  }
  for (const p of t.values<PendingSubscription>("pending")) {
    if (now - Date.parse(p.createdAt) > PENDING_TTL) ops.push(["pending", p.requestToken, null]);
  }
  ops.push(...expiredKvOps(t, now), ...expiredDailyOps(t, now));
  let delivered = t.get<number>("meta", "outboundHead") ?? 0;
  for (const d of t.values<Destination>("destinations")) delivered = Math.min(delivered, d.cursor);
  for (const e of ix.log()) {
    if (e.seq > delivered) break;
    ops.push(["outbound", String(e.seq), null]);
  }
  const failures = [...t.maps.failures.keys()];
  for (const id of failures.slice(0, Math.max(0, failures.length - MAX_FAILURES))) {
    ops.push(["failures", id, null]);
  }
  return ops;
}
