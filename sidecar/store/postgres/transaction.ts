/** One PostgreSQL transaction: BEGIN … COMMIT on one pooled client, retried on deadlock or serialization failure. */
import type pg from "pg";

/** What a store step runs its statements on: the pool (one statement) or a transaction's client. */
export type Db = Pick<pg.Pool | pg.PoolClient, "query">;

/** Deadlock detected, serialization failure: the transaction did nothing and may run again. */
const RETRYABLE = new Set(["40P01", "40001"]);
const ATTEMPTS = 3;

/** Thrown inside `fn` to roll back and make `inTransaction` answer `value`. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs `fn` in one READ COMMITTED transaction (row locks taken by `fn` make its checks
 * hold until COMMIT). `fn` may run again when the server aborted an attempt as a deadlock.
 * `begin` may ask for another kind (a read-only snapshot).
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (db: Db) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query(begin);
      const value = await fn(client);
      await client.query("COMMIT");
      return value;
    } catch (e) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true; // the connection is gone: do not give it back to the pool
      }
      if (e instanceof Rollback) return e.value as T;
      const code = (e as { code?: string }).code;
      if (!(code && RETRYABLE.has(code)) || attempt >= ATTEMPTS) throw e;
    } finally {
      client.release(broken);
    }
  }
}

/** Takes a transaction-scoped lock on `name` within `space`: serialises steps on one record. */
export async function lockName(db: Db, space: number, name: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [space, name]);
}

/** Lock spaces for `lockName` (the migration lock is a one-key lock, a space of its own). */
export const LOCKS = { follower: 1, source: 2 } as const;

/** A JSON value as a query parameter (node-postgres would send arrays as PostgreSQL arrays). */
export function json(value: unknown): string {
  return JSON.stringify(value);
}
