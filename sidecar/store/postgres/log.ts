/**
 * The outbound log, published posts and the sync state in PostgreSQL. The log's head is
 * one row: a sync's UPDATE of it numbers the new entries and orders concurrent syncs.
 */
import type pg from "pg";
import type { SyncRecord } from "../store.js";
import { syncOps } from "../tables/ops.js";
import type { OutboundEntry, PublishedPost, SyncState } from "../types.js";
import { OUTBOUND_CHANNEL } from "./notify.js";
import { type Db, inTransaction, json } from "./transaction.js";

export async function headSeq(db: Db): Promise<number> {
  const { rows } = await db.query<{ head: string }>("SELECT head FROM log_head");
  return Number(rows[0]?.head ?? 0);
}

/** A LIMIT parameter: null (no limit) for Infinity. */
export function limitParam(limit: number): number | null {
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : null;
}

export async function outboundAfter(
  db: Db,
  after: number,
  limit: number,
): Promise<OutboundEntry[]> {
  const { rows } = await db.query<{ body: OutboundEntry }>(
    "SELECT body FROM outbound WHERE seq > $1 ORDER BY seq LIMIT $2",
    [after, limitParam(limit)],
  );
  return rows.map((r) => r.body);
}

export async function publishedPosts(db: Db): Promise<Map<string, PublishedPost>> {
  const { rows } = await db.query<{ uri: string; body: PublishedPost }>(
    "SELECT uri, body FROM published ORDER BY seq, uri",
  );
  return new Map(rows.map((r) => [r.uri, r.body]));
}

/** See `Store.applySync`: one transaction; the records are those the table stores write. */
export function applySync(pool: pg.Pool, record: SyncRecord): Promise<number[]> {
  return inTransaction(pool, async (db) => {
    const n = record.entries.length;
    const { rows } = await db.query<{ head: string }>(
      "UPDATE log_head SET head = head + $1, sync_state = $2 RETURNING head",
      [n, json(record.state)],
    );
    const { ops, seqs } = syncOps(Number(rows[0]?.head ?? n) - n, record);
    const entries = ops.filter(([table]) => table === "outbound");
    // One INSERT may not touch a row twice: the last record of a URI wins, as in the log.
    const posts = new Map(ops.filter(([table]) => table === "published").map(([, k, v]) => [k, v]));
    if (entries.length > 0) {
      await db.query(
        "INSERT INTO outbound (seq, body) SELECT s, b::json FROM unnest($1::bigint[], $2::text[]) AS t(s, b)",
        [entries.map(([, k]) => k), entries.map(([, , v]) => json(v))],
      );
      // Delivered to every listening process when this transaction commits.
      await db.query("SELECT pg_notify($1, '')", [OUTBOUND_CHANNEL]);
    }
    if (posts.size > 0)
      await db.query(
        `INSERT INTO published (uri, seq, body)
         SELECT u, s, b::json FROM unnest($1::text[], $2::bigint[], $3::text[]) AS t(u, s, b)
         ON CONFLICT (uri) DO UPDATE SET seq = excluded.seq, body = excluded.body`,
        [
          [...posts.keys()],
          [...posts.values()].map((p) => (p as PublishedPost).seq),
          [...posts.values()].map((p) => json(p)),
        ],
      );
    return seqs;
  });
}

export async function syncState(db: Db): Promise<SyncState> {
  const { rows } = await db.query<{ sync_state: SyncState }>("SELECT sync_state FROM log_head");
  return rows[0]?.sync_state ?? { initialized: false };
}

export async function saveSyncState(db: Db, state: SyncState): Promise<void> {
  await db.query("UPDATE log_head SET sync_state = $1", [json(state)]);
}
