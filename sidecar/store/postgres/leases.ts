/**
 * Destination claims between sidecar processes (see `Store.claimDestination`): one row per
 * claimed destination, taken, renewed or taken over in one statement, on the database's
 * clock (processes on several machines need not agree on the time).
 */
import type pg from "pg";

const DB_NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

export async function claimDestination(
  pool: pg.Pool,
  key: string,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO destination_leases (key, owner, until_ms) VALUES ($1, $2, ${DB_NOW_MS} + $3)
     ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
     WHERE destination_leases.owner = excluded.owner OR destination_leases.until_ms < ${DB_NOW_MS}`,
    [key, owner, Math.round(leaseMs)],
  );
  return rowCount === 1;
}

export async function releaseDestination(pool: pg.Pool, key: string, owner: string): Promise<void> {
  await pool.query("DELETE FROM destination_leases WHERE key = $1 AND owner = $2", [key, owner]);
}
