/**
 * Key–value entries in PostgreSQL: values kept as their JSON text (read back as a copy),
 * an expiry time per entry, compare-and-swap under a row lock, and the same bound as the
 * table stores (MAX_KV_ENTRIES, the entries expiring soonest dropped first).
 */
import { isDeepStrictEqual } from "node:util";
import type pg from "pg";
import type { KvSetOptions } from "../store.js";
import { MAX_KV_ENTRIES } from "../tables/kv-ops.js";
import { type Db, inTransaction, Rollback } from "./transaction.js";

/** Dropped at once when the table is full, as in the table stores. */
const EVICT_BATCH = Math.ceil(MAX_KV_ENTRIES / 10);
/**
 * The table is counted again after this many new keys from this process: the bound holds
 * to within this many entries per other process writing to the same database.
 */
const RECOUNT_EVERY = 1_000;

const LIVE = "(expires_ms IS NULL OR expires_ms > $2)";

/** The JSON text of a value; a TypeError for what JSON cannot hold. */
function encode(key: string, value: unknown): string {
  const text = value === undefined ? undefined : JSON.stringify(value);
  if (text === undefined) throw new TypeError(`Store.kvSet: the value for "${key}" is not JSON`);
  return text;
}

function expiry(opts: KvSetOptions, now: number): number | null {
  return opts.ttlMs === undefined ? null : now + Math.max(0, Math.round(opts.ttlMs));
}

export async function kvGet(db: Db, key: string): Promise<unknown> {
  const { rows } = await db.query<{ value: string }>(
    `SELECT value FROM kv WHERE key = $1 AND ${LIVE}`,
    [key, Date.now()],
  );
  return rows[0] ? JSON.parse(rows[0].value) : undefined;
}

export async function kvList(db: Db, prefix: string): Promise<{ key: string; value: unknown }[]> {
  const pattern = `${prefix.replace(/[\\%_]/g, "\\$&")}%`;
  const { rows } = await db.query<{ key: string; value: string }>(
    `SELECT key, value FROM kv WHERE key LIKE $1 AND ${LIVE} ORDER BY pos`,
    [pattern, Date.now()],
  );
  return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) }));
}

export async function kvDelete(db: Db, key: string): Promise<void> {
  await db.query("DELETE FROM kv WHERE key = $1", [key]);
}

/** Keeps the table within MAX_KV_ENTRIES: counts now and then, evicts when past it. */
export class KvBound {
  #counted: number | undefined;
  #added = 0;

  /** After a write that added `key`: drops expired entries, then the soonest-expiring, when full. */
  async added(db: Db, key: string): Promise<void> {
    this.#added++;
    const estimate = (this.#counted ?? Number.POSITIVE_INFINITY) + this.#added;
    if (estimate <= MAX_KV_ENTRIES && this.#added < RECOUNT_EVERY) return;
    let count = await this.#count(db);
    if (count <= MAX_KV_ENTRIES) return;
    const expired = await db.query("DELETE FROM kv WHERE expires_ms <= $1 AND key <> $2", [
      Date.now(),
      key,
    ]);
    count -= expired.rowCount ?? 0;
    if (count > MAX_KV_ENTRIES) {
      const dropped = await db.query(
        `DELETE FROM kv WHERE key IN (SELECT key FROM kv WHERE expires_ms IS NOT NULL
           AND key <> $1 ORDER BY expires_ms LIMIT $2)`,
        [key, EVICT_BATCH],
      );
      count -= dropped.rowCount ?? 0;
    }
    this.#counted = count;
  }

  async #count(db: Db): Promise<number> {
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM kv");
    this.#counted = rows[0]?.n ?? 0;
    this.#added = 0;
    return this.#counted;
  }
}

/** Sets `key`; true when the key was new (what the bound counts). */
export async function kvSet(
  db: Db,
  key: string,
  value: unknown,
  opts: KvSetOptions = {},
): Promise<boolean> {
  const { rows } = await db.query<{ inserted: boolean }>(
    `INSERT INTO kv (key, value, expires_ms) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_ms = excluded.expires_ms
     RETURNING (xmax = 0) AS inserted`,
    [key, encode(key, value), expiry(opts, Date.now())],
  );
  return rows[0]?.inserted ?? false;
}

/**
 * See `Store.kvCas`. From absent to a value: one INSERT that takes over only an expired
 * row; otherwise the row is locked, compared, and written in one transaction.
 * Resolves to whether it wrote, and whether that added a key.
 */
export async function kvCas(
  pool: pg.Pool,
  key: string,
  expected: unknown,
  next: unknown,
  opts: KvSetOptions = {},
): Promise<{ ok: boolean; added: boolean }> {
  const now = Date.now();
  if (expected === undefined && next !== undefined) {
    const { rows } = await pool.query<{ inserted: boolean }>(
      `INSERT INTO kv (key, value, expires_ms) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_ms = excluded.expires_ms
       WHERE kv.expires_ms <= $4
       RETURNING (xmax = 0) AS inserted`,
      [key, encode(key, next), expiry(opts, now), now],
    );
    return { ok: rows.length > 0, added: rows[0]?.inserted ?? false };
  }
  const text = next === undefined ? undefined : encode(key, next);
  const ok = await inTransaction(pool, async (db) => {
    const { rows } = await db.query<{ value: string; live: boolean }>(
      `SELECT value, ${LIVE} AS live FROM kv WHERE key = $1 FOR UPDATE`,
      [key, now],
    );
    const current = rows[0]?.live ? JSON.parse(rows[0].value) : undefined;
    if (!isDeepStrictEqual(current, expected)) throw new Rollback(false);
    if (text === undefined) await db.query("DELETE FROM kv WHERE key = $1", [key]);
    else
      await db.query("UPDATE kv SET value = $2, expires_ms = $3 WHERE key = $1", [
        key,
        text,
        expiry(opts, now),
      ]);
    return true;
  });
  return { ok, added: false };
}
