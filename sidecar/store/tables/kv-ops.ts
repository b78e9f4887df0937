/** The key–value table's records and the operations that write, expire and bound it. */
import { isDeepStrictEqual } from "node:util";
import type { KvSetOptions } from "../store.js";
import type { Op, Tables } from "./tables.js";

/**
 * Entries the table holds before a write drops the ones expiring soonest. Fedify's caches
 * (remote documents, public keys, activity ids seen) are what fills it; 50,000 entries of
 * a few kilobytes each stay well inside the memory a sidecar may use.
 */
export const MAX_KV_ENTRIES = 50_000;
/** Dropped at once when the table is full, so that eviction is not paid on every write. */
const EVICT_BATCH = Math.ceil(MAX_KV_ENTRIES / 10);

/** One entry as stored: the value and, when it has a TTL, the time it expires (epoch ms). */
export interface KvRecord {
  v: unknown;
  exp?: number;
}

function live(rec: KvRecord | undefined, now: number): rec is KvRecord {
  return rec !== undefined && (rec.exp === undefined || rec.exp > now);
}

/** The live value at `key`, as a copy the caller may change. */
export function kvValue(t: Tables, key: string, now = Date.now()): unknown {
  const rec = t.get<KvRecord>("kv", key);
  return live(rec, now) ? structuredClone(rec.v) : undefined;
}

/** True when the live value at `key` deep-equals `expected` (undefined: absent or expired). */
export function kvMatches(t: Tables, key: string, expected: unknown, now = Date.now()): boolean {
  const rec = t.get<KvRecord>("kv", key);
  return live(rec, now) ? isDeepStrictEqual(rec.v, expected) : expected === undefined;
}

/** The operations that set `key` (undefined deletes it), with any eviction it calls for. */
export function kvWriteOps(
  t: Tables,
  key: string,
  value: unknown,
  opts: KvSetOptions = {},
  now = Date.now(),
): Op[] {
  if (value === undefined) return [["kv", key, null]];
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`Store.kvSet: the value for "${key}" is not JSON`);
  const rec: KvRecord = { v: JSON.parse(json) };
  if (opts.ttlMs !== undefined) rec.exp = now + Math.max(0, opts.ttlMs);
  const full = t.size("kv") >= MAX_KV_ENTRIES && t.get("kv", key) === undefined;
  return [...(full ? evictionOps(t, now) : []), ["kv", key, rec]];
}

/** Expired entries, then if the table is still full the soonest-expiring ones. */
function evictionOps(t: Tables, now: number): Op[] {
  const ops = expiredKvOps(t, now);
  if (t.size("kv") - ops.length < MAX_KV_ENTRIES) return ops;
  const expiring = [...t.maps.kv.entries()]
    .filter(([, rec]) => (rec as KvRecord).exp !== undefined)
    .sort(([, a], [, b]) => ((a as KvRecord).exp ?? 0) - ((b as KvRecord).exp ?? 0))
    .slice(0, EVICT_BATCH);
  return [...ops, ...expiring.map(([k]): Op => ["kv", k, null])];
}

/** Deletions of every expired entry (what a compaction prunes). */
export function expiredKvOps(t: Tables, now = Date.now()): Op[] {
  const ops: Op[] = [];
  for (const [k, rec] of t.maps.kv) if (!live(rec as KvRecord, now)) ops.push(["kv", k, null]);
  return ops;
}

/** The live entries whose key starts with `prefix`, in the order they were first written. */
export function kvEntries(
  t: Tables,
  prefix: string,
  now = Date.now(),
): { key: string; value: unknown }[] {
  const out: { key: string; value: unknown }[] = [];
  for (const [key, rec] of t.maps.kv) {
    if (key.startsWith(prefix) && live(rec as KvRecord, now))
      out.push({ key, value: structuredClone((rec as KvRecord).v) });
  }
  return out;
}
