/** Destinations (one delivery cursor each) and the permanent-failure records, in PostgreSQL. */
import type pg from "pg";
import type { NewFailure } from "../store.js";
import { utcDay } from "../tables/daily-deliveries.js";
import { failureOp } from "../tables/ops.js";
import type { DeliveryFailure, DeliveryOutcome, Destination, Protocol } from "../types.js";
import { COLUMNS, countDelivery } from "./daily.js";
import { type Db, inTransaction, json, Rollback } from "./transaction.js";

interface DestinationRow {
  key: string;
  protocol: Protocol;
  url: string;
  cursor_seq: string;
  attempts: number;
  retry_at: string | null;
  failing_since: string | null;
  last_error: string | null;
  gave_up_at: string | null;
}

function toDestination(r: DestinationRow): Destination {
  const d: Destination = {
    key: r.key,
    protocol: r.protocol,
    url: r.url,
    cursor: Number(r.cursor_seq),
    attempts: r.attempts,
  };
  if (r.retry_at !== null) d.retryAt = r.retry_at;
  if (r.failing_since !== null) d.failingSince = r.failing_since;
  if (r.last_error !== null) d.lastError = r.last_error;
  if (r.gave_up_at !== null) d.gaveUpAt = r.gave_up_at;
  return d;
}

export async function listDestinations(db: Db): Promise<Destination[]> {
  const { rows } = await db.query<DestinationRow>("SELECT * FROM destinations ORDER BY pos");
  return rows.map(toDestination);
}

export async function getDestination(db: Db, key: string): Promise<Destination | undefined> {
  const { rows } = await db.query<DestinationRow>("SELECT * FROM destinations WHERE key = $1", [
    key,
  ]);
  return rows[0] && toDestination(rows[0]);
}

/**
 * Creates the destination at the head of the log when it is new or given up; otherwise
 * leaves it as it is, but row-locked until the transaction ends (ON CONFLICT locks the row
 * it finds), so that a concurrent `dropIfEmpty` waits for the follower being added.
 */
export async function startDestination(
  db: Db,
  dest: { key: string; protocol: Protocol; url: string },
): Promise<void> {
  await db.query(
    `INSERT INTO destinations (key, protocol, url, cursor_seq, attempts)
     SELECT $1, $2, $3, head, 0 FROM log_head
     ON CONFLICT (key) DO UPDATE SET cursor_seq = excluded.cursor_seq, attempts = 0,
       retry_at = NULL, failing_since = NULL, last_error = NULL, gave_up_at = NULL
     WHERE destinations.gave_up_at IS NOT NULL`,
    [dest.key, dest.protocol, dest.url],
  );
}

/** Drops the destination when no follower receives there any more (after locking it). */
export async function dropIfEmpty(db: Db, key: string): Promise<void> {
  await db.query("SELECT 1 FROM destinations WHERE key = $1 FOR UPDATE", [key]);
  // A new statement: its snapshot sees followers committed while the lock was awaited.
  await db.query(
    `DELETE FROM destinations WHERE key = $1
     AND NOT EXISTS (SELECT 1 FROM followers WHERE destination = $1)`,
    [key],
  );
}

export async function insertFailure(db: Db, failure: NewFailure): Promise<void> {
  const [, id, record] = failureOp(failure);
  await db.query("INSERT INTO failures (id, body) VALUES ($1, $2)", [id, json(record)]);
}

export async function listFailures(db: Db, limit: number): Promise<DeliveryFailure[]> {
  const { rows } = await db.query<{ body: DeliveryFailure }>(
    "SELECT body FROM failures ORDER BY pos DESC LIMIT $1",
    [Math.max(0, Math.floor(limit))],
  );
  return rows.map((r) => r.body);
}

const UPDATE_DESTINATION = `UPDATE destinations SET cursor_seq = $2, attempts = $3, retry_at = $4,
  failing_since = $5, last_error = $6, gave_up_at = $7 WHERE key = $1`;

const updateParams = (d: Destination) => [
  d.key,
  d.cursor,
  d.attempts,
  d.retryAt ?? null,
  d.failingSince ?? null,
  d.lastError ?? null,
  d.gaveUpAt ?? null,
];

/**
 * See `Store.updateDestination`: one statement (a delivery's cursor with today's count
 * too), or one transaction when there is a failure record.
 */
export async function updateDestination(
  pool: pg.Pool,
  d: Destination,
  opts: { failure?: NewFailure; count?: DeliveryOutcome },
): Promise<boolean> {
  const update = async (db: Db) => {
    const { rowCount } = await db.query(UPDATE_DESTINATION, updateParams(d));
    return (rowCount ?? 0) > 0;
  };
  if (!opts.failure && !opts.count) return update(pool);
  if (!opts.failure && opts.count) return updateAndCount(pool, d, opts.count);
  return inTransaction(pool, async (db) => {
    if (!(await update(db))) throw new Rollback(false); // removed meanwhile
    if (opts.failure) await insertFailure(db, opts.failure);
    if (opts.count) await countDelivery(db, opts.count);
    return true;
  });
}

/**
 * The cursor and today's count in one statement, so today's counter row (which every
 * delivery of every process updates) is never held locked across a round trip; measured
 * with two processes, 46% of sessions were waiting on it as a transaction. Days past the
 * 30 kept are deleted by the counts of the other paths and by compact().
 */
async function updateAndCount(
  pool: pg.Pool,
  d: Destination,
  outcome: DeliveryOutcome,
): Promise<boolean> {
  const col = COLUMNS[outcome];
  const { rows } = await pool.query<{ n: string }>(
    `WITH d AS (${UPDATE_DESTINATION} RETURNING 1),
     c AS (
       INSERT INTO daily_deliveries (day, ${col}) SELECT $8, 1 FROM d
       ON CONFLICT (day) DO UPDATE SET ${col} = daily_deliveries.${col} + 1
     )
     SELECT count(*) AS n FROM d`,
    [...updateParams(d), utcDay(Date.now())],
  );
  return Number(rows[0]?.n) > 0;
}
