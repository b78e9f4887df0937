/**
 * The PostgreSQL store's side of `Store.exportDump` / `importDump`: the tables read in one
 * REPEATABLE READ snapshot through the same queries the store answers with, and a dump
 * written in one transaction with bulk INSERTs that keep each list's order in `pos`.
 */
import type pg from "pg";
import {
  checkDumpFormat,
  DUMP_FORMAT,
  DUMP_TABLES,
  type DumpCounts,
  type DumpTable,
  type ExportOptions,
  refuseUnlessEmpty,
  type StoreDump,
  sortedBy,
  sortedPosts,
} from "../dump.js";
import { credentialOf, destinationOf } from "../store.js";
import type { AccessToken, DailyDeliveries, PendingSubscription } from "../types.js";
import { listDestinations, listFailures } from "./destinations.js";
import { listFollowed } from "./followed.js";
import { listFollowers } from "./followers.js";
import { listInbox } from "./inbox.js";
import { headSeq, outboundAfter, publishedPosts, syncState } from "./log.js";
import { listRequestTokens } from "./tokens.js";
import { type Db, inTransaction, json } from "./transaction.js";

/** The table each dump list lives in. */
const TABLE: Record<DumpTable, string> = {
  followers: "followers",
  destinations: "destinations",
  followed: "followed",
  outbound: "outbound",
  published: "published",
  failures: "failures",
  requestTokens: "request_tokens",
  accessTokens: "access_tokens",
  pending: "pending_subscriptions",
  nonces: "nonces",
  inbox: "inbox",
  kv: "kv",
  secrets: "secrets",
  daily: "daily_deliveries",
};

/** Rows sent per INSERT: large stores go in several statements of the same transaction. */
const CHUNK = 1_000;

/** Runs `fn` in one read-only REPEATABLE READ transaction: every query sees the same snapshot. */
function inSnapshot<T>(pool: pg.Pool, fn: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(pool, fn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

async function bodies<T>(db: Db, sql: string): Promise<T[]> {
  return (await db.query<{ body: T }>(sql)).rows.map((r) => r.body);
}

/** See `Store.exportDump`. */
export function exportDump(pool: pg.Pool, opts: ExportOptions = {}): Promise<StoreDump> {
  const now = opts.now ?? Date.now();
  return inSnapshot(pool, async (db) => {
    const nonces = await db.query<{ key: string; expiresAt: string }>(
      `SELECT key, expires_ms AS "expiresAt" FROM nonces WHERE expires_ms > $1`,
      [now],
    );
    const kv = await db.query<{ key: string; value: string; expires_ms: string | null }>(
      "SELECT key, value, expires_ms FROM kv WHERE expires_ms IS NULL OR expires_ms > $1 ORDER BY pos",
      [now],
    );
    const secrets = await db.query<{ name: string; value: string }>(
      "SELECT name, value FROM secrets",
    );
    const daily = await db.query<DailyDeliveries>(
      `SELECT day, delivered, retried, refused, gave_up AS "gaveUp" FROM daily_deliveries`,
    );
    return {
      format: DUMP_FORMAT,
      head: await headSeq(db),
      sync: await syncState(db),
      outbound: await outboundAfter(db, 0, Number.POSITIVE_INFINITY),
      published: sortedPosts((await publishedPosts(db)).values()),
      destinations: await listDestinations(db),
      followers: await listFollowers(db),
      followed: await listFollowed(db),
      failures: (await listFailures(db, Number.MAX_SAFE_INTEGER)).reverse(),
      requestTokens: await listRequestTokens(db),
      accessTokens: sortedBy(
        await bodies<AccessToken>(db, "SELECT body FROM access_tokens"),
        (a) => a.token,
      ),
      pending: sortedBy(
        await bodies<PendingSubscription>(db, "SELECT body FROM pending_subscriptions"),
        (p) => p.requestToken,
      ),
      nonces: sortedBy(
        nonces.rows.map((n) => ({ key: n.key, expiresAt: Number(n.expiresAt) })),
        (n) => n.key,
      ),
      inbox: (await listInbox(db, Number.POSITIVE_INFINITY)).reverse(),
      kv: kv.rows.map((r) => ({
        key: r.key,
        value: JSON.parse(r.value),
        ...(r.expires_ms === null ? {} : { expiresAt: Number(r.expires_ms) }),
      })),
      secrets: sortedBy(secrets.rows, (s) => s.name),
      daily: sortedBy(daily.rows, (d) => d.day),
    };
  });
}

/** Rows per dump list, expired ones included, and the log head (what an import refuses). */
async function contents(db: Db): Promise<{ counts: DumpCounts; head: number }> {
  const selects = DUMP_TABLES.map((t) => `(SELECT count(*)::int FROM ${TABLE[t]}) AS "${t}"`);
  const { rows } = await db.query<DumpCounts>(`SELECT ${selects.join(", ")}`);
  const counts = rows[0];
  if (!counts) throw new Error("PostgreSQL store: the table counts did not come back");
  return { counts, head: await headSeq(db) };
}

/**
 * How each dump list is written: its columns (`name type`; json goes as text, then cast)
 * and the values of one record in that order (undefined is NULL).
 */
const ROWS: { [T in DumpTable]: { columns: string; row: (r: StoreDump[T][number]) => unknown[] } } =
  {
    outbound: { columns: "seq bigint, body json", row: (e) => [e.seq, json(e)] },
    published: { columns: "uri text, seq bigint, body json", row: (p) => [p.uri, p.seq, json(p)] },
    destinations: {
      columns:
        "key text, protocol text, url text, cursor_seq bigint, attempts integer, retry_at text, failing_since text, last_error text, gave_up_at text",
      row: (x) => [
        x.key,
        x.protocol,
        x.url,
        x.cursor,
        x.attempts,
        x.retryAt,
        x.failingSince,
        x.lastError,
        x.gaveUpAt,
      ],
    },
    followers: {
      columns: "id text, protocol text, destination text, credential text, body json",
      row: (f) => [f.id, f.protocol, destinationOf(f).key, credentialOf(f), json(f)],
    },
    followed: {
      columns: "id text, protocol text, credential text, body json",
      row: (f) => [f.id, f.protocol, credentialOf(f), json(f)],
    },
    failures: { columns: "id text, body json", row: (f) => [f.id, json(f)] },
    requestTokens: {
      columns: "token text, state text, source text, created_ms bigint, listenee json, body json",
      row: (t) => [
        t.token,
        t.state,
        t.source,
        ms(t.createdAt),
        t.listenee && json(t.listenee),
        json(t),
      ],
    },
    accessTokens: { columns: "token text, body json", row: (a) => [a.token, json(a)] },
    pending: {
      columns: "request_token text, created_ms bigint, body json",
      row: (p) => [p.requestToken, ms(p.createdAt), json(p)],
    },
    nonces: { columns: "key text, expires_ms bigint", row: (n) => [n.key, n.expiresAt] },
    inbox: { columns: "uri text, body json", row: (n) => [n.uri, json(n)] },
    kv: {
      columns: "key text, value text, expires_ms bigint",
      row: (e) => [e.key, json(e.value), e.expiresAt],
    },
    secrets: { columns: "name text, value text", row: (x) => [x.name, x.value] },
    daily: {
      columns: "day text, delivered integer, retried integer, refused integer, gave_up integer",
      row: (x) => [x.day, x.delivered, x.retried, x.refused, x.gaveUp],
    },
  };

/** Epoch ms of an ISO time, 0 for one that does not parse (as the store writes `created_ms`). */
function ms(iso: string): number {
  return Date.parse(iso) || 0;
}

/**
 * Inserts the records of dump list `list` into its table, keeping their order: the rows are
 * numbered, sorted by that number, and `pos` (a serial) is drawn in that order.
 */
async function insertList<T extends DumpTable>(
  db: Db,
  list: T,
  records: StoreDump[T],
): Promise<void> {
  const { columns, row } = ROWS[list];
  const typed = columns.split(", ").map((c) => c.split(" ") as [string, string]);
  const names = typed.map(([name]) => name).join(", ");
  const arrays = typed.map(([, type], i) => `$${i + 1}::${type === "json" ? "text" : type}[]`);
  const values = typed.map(([name, type]) => (type === "json" ? `${name}::json` : name));
  const sql = `INSERT INTO ${TABLE[list]} (${names}) SELECT ${values.join(", ")}
    FROM unnest(${arrays.join(", ")}) WITH ORDINALITY AS r(${names}, n) ORDER BY n`;
  for (let at = 0; at < records.length; at += CHUNK) {
    const rows = (records.slice(at, at + CHUNK) as StoreDump[T][number][]).map(row);
    await db.query(
      sql,
      typed.map((_, i) => rows.map((r) => r[i] ?? null)),
    );
  }
}

/** See `Store.importDump`: one transaction, the tables locked against writers while it checks and writes. */
export async function importDump(pool: pg.Pool, d: StoreDump): Promise<void> {
  checkDumpFormat(d);
  return inTransaction(pool, async (db) => {
    const tables = [...DUMP_TABLES.map((t) => TABLE[t]), "log_head"];
    await db.query(`LOCK TABLE ${tables.join(", ")} IN EXCLUSIVE MODE`);
    const { counts, head } = await contents(db);
    refuseUnlessEmpty("postgres", counts, head);
    await db.query("UPDATE log_head SET head = $1, sync_state = $2", [d.head, json(d.sync)]);
    for (const list of DUMP_TABLES) await insertList(db, list, d[list]);
  });
}
