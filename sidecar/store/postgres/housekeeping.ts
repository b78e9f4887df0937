/** Secrets and compaction in PostgreSQL: what a compaction forgets is what the table stores prune. */
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { MAX_FAILURES, PENDING_TTL, REQUEST_TOKEN_TTL } from "../tables/prune.js";
import { oldestDay } from "./daily.js";
import { type Db, inTransaction } from "./transaction.js";

/** See `Store.secret`: the first writer's value, for every caller (one INSERT … ON CONFLICT). */
export async function secret(db: Db, name: string): Promise<string> {
  const { rows } = await db.query<{ value: string }>(
    `INSERT INTO secrets (name, value) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET value = secrets.value RETURNING value`,
    [name, randomBytes(32).toString("base64url")],
  );
  const value = rows[0]?.value;
  if (!value) throw new Error(`PostgreSQL store: no secret "${name}" came back`);
  return value;
}

/**
 * Expired nonces, tokens, flows, key–value entries and days; log entries every destination
 * has passed; failures past MAX_FAILURES. In one transaction, so a reader sees all or none.
 */
export function compact(pool: pg.Pool, now = Date.now()): Promise<void> {
  return inTransaction(pool, async (db) => {
    await db.query("DELETE FROM nonces WHERE expires_ms <= $1", [now]);
    await db.query("DELETE FROM request_tokens WHERE created_ms < $1", [now - REQUEST_TOKEN_TTL]);
    await db.query("DELETE FROM pending_subscriptions WHERE created_ms < $1", [now - PENDING_TTL]);
    await db.query("DELETE FROM kv WHERE expires_ms <= $1", [now]);
    await db.query("DELETE FROM daily_deliveries WHERE day < $1", [oldestDay(now)]);
    await db.query(
      `DELETE FROM outbound WHERE seq <= (SELECT LEAST(head,
         COALESCE((SELECT min(cursor_seq) FROM destinations), head)) FROM log_head)`,
    );
    await db.query(
      `DELETE FROM failures WHERE pos <= (SELECT pos FROM failures ORDER BY pos DESC OFFSET $1 LIMIT 1)`,
      [MAX_FAILURES],
    );
  });
}
