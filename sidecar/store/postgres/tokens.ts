/**
 * OMB request and access tokens, subscribe flows and nonces in PostgreSQL. Each state
 * change is one conditional UPDATE (the row lock decides a race); a nonce is claimed by
 * the primary key, in one INSERT … ON CONFLICT.
 */
import type pg from "pg";
import { PENDING_TTL } from "../tables/prune.js";
import type {
  AccessToken,
  OmbFollowed,
  OmbProfile,
  PendingSubscription,
  RequestToken,
} from "../types.js";
import { upsertFollowed } from "./followed.js";
import { type Db, inTransaction, json, LOCKS, lockName, Rollback } from "./transaction.js";

interface TokenRow {
  state: RequestToken["state"];
  listenee: OmbProfile | null;
  body: RequestToken;
}

/** The record as it is now: `state` and `listenee` live in columns of their own. */
function toRequestToken(r: TokenRow): RequestToken {
  const t: RequestToken = { ...r.body, state: r.state };
  if (r.listenee) t.listenee = r.listenee;
  return t;
}

/** Epoch ms of an ISO time; 0 (long expired) for one that does not parse. */
function ms(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

export async function getRequestToken(db: Db, token: string): Promise<RequestToken | undefined> {
  const { rows } = await db.query<TokenRow>(
    "SELECT state, listenee, body FROM request_tokens WHERE token = $1",
    [token],
  );
  return rows[0] && toRequestToken(rows[0]);
}

/** Every request token, in every state, oldest first (what a store dump holds). */
export async function listRequestTokens(db: Db): Promise<RequestToken[]> {
  const { rows } = await db.query<TokenRow>(
    "SELECT state, listenee, body FROM request_tokens ORDER BY pos",
  );
  return rows.map(toRequestToken);
}

async function upsertRequestToken(db: Db, t: RequestToken): Promise<void> {
  await db.query(
    `INSERT INTO request_tokens (token, state, source, created_ms, listenee, body)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (token) DO UPDATE SET pos = excluded.pos, state = excluded.state,
       source = excluded.source, created_ms = excluded.created_ms,
       listenee = excluded.listenee, body = excluded.body`,
    [
      t.token,
      t.state,
      t.source ?? null,
      ms(t.createdAt),
      t.listenee ? json(t.listenee) : null,
      json(t),
    ],
  );
}

/** See `Store.saveRequestToken`: with a cap, saves from one source run one at a time. */
export function saveRequestToken(
  pool: pg.Pool,
  t: RequestToken,
  opts: { maxPerSource?: number },
): Promise<void> {
  const { source } = t;
  const max = opts.maxPerSource;
  if (source === undefined || max === undefined) return upsertRequestToken(pool, t);
  return inTransaction(pool, async (db) => {
    await lockName(db, LOCKS.source, source);
    await upsertRequestToken(db, t);
    await db.query(
      `DELETE FROM request_tokens WHERE token IN (
         SELECT token FROM request_tokens WHERE source = $1 AND state = 'issued' AND token <> $2
         ORDER BY pos DESC OFFSET $3)`,
      [source, t.token, Math.max(1, max) - 1],
    );
  });
}

export async function deleteRequestToken(db: Db, token: string): Promise<void> {
  await db.query("DELETE FROM request_tokens WHERE token = $1", [token]);
}

/** See `Store.authorizeRequestToken`: one UPDATE, so one of two racing calls wins. */
export async function authorizeRequestToken(
  db: Db,
  token: string,
  listenee: OmbProfile,
): Promise<RequestToken | undefined> {
  const { rows } = await db.query<TokenRow>(
    `UPDATE request_tokens SET state = 'authorized', listenee = $2
     WHERE token = $1 AND state = 'issued' RETURNING state, listenee, body`,
    [token, json(listenee)],
  );
  return rows[0] && toRequestToken(rows[0]);
}

/** See `Store.exchangeRequestToken`: the state change locks the token; the rest follows in the same transaction. */
export function exchangeRequestToken(
  pool: pg.Pool,
  token: string,
  access: AccessToken,
  followed: OmbFollowed,
): Promise<boolean> {
  return inTransaction(pool, async (db) => {
    const used = await db.query(
      "UPDATE request_tokens SET state = 'used' WHERE token = $1 AND state = 'authorized'",
      [token],
    );
    if (!used.rowCount) throw new Rollback(false);
    const { rows } = await db.query<{ protocol: string; credential: string }>(
      "SELECT protocol, credential FROM followed WHERE id = $1 FOR UPDATE",
      [followed.id],
    );
    const previous = rows[0];
    if (previous?.protocol === "omb" && previous.credential !== access.token)
      await db.query("DELETE FROM access_tokens WHERE token = $1", [previous.credential]);
    await upsertFollowed(db, followed);
    await db.query(
      `INSERT INTO access_tokens (token, body) VALUES ($1, $2)
       ON CONFLICT (token) DO UPDATE SET body = excluded.body`,
      [access.token, json(access)],
    );
    return true;
  });
}

export async function getAccessToken(db: Db, token: string): Promise<AccessToken | undefined> {
  const { rows } = await db.query<{ body: AccessToken }>(
    "SELECT body FROM access_tokens WHERE token = $1",
    [token],
  );
  return rows[0]?.body;
}

/** A flow older than PENDING_TTL is not returned (compaction deletes it). */
export async function getPending(db: Db, token: string): Promise<PendingSubscription | undefined> {
  const { rows } = await db.query<{ body: PendingSubscription }>(
    "SELECT body FROM pending_subscriptions WHERE request_token = $1",
    [token],
  );
  const p = rows[0]?.body;
  return p && Date.now() - Date.parse(p.createdAt) <= PENDING_TTL ? p : undefined;
}

export async function savePending(db: Db, p: PendingSubscription): Promise<void> {
  await db.query(
    `INSERT INTO pending_subscriptions (request_token, created_ms, body) VALUES ($1, $2, $3)
     ON CONFLICT (request_token) DO UPDATE SET created_ms = excluded.created_ms, body = excluded.body`,
    [p.requestToken, ms(p.createdAt), json(p)],
  );
}

export async function deletePending(db: Db, token: string): Promise<void> {
  await db.query("DELETE FROM pending_subscriptions WHERE request_token = $1", [token]);
}

/** See `Store.claimNonce`: inserted, or taken over once expired; no row back means a replay. */
export async function claimNonce(db: Db, key: string, expiresAt: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO nonces (key, expires_ms) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET expires_ms = excluded.expires_ms
     WHERE nonces.expires_ms <= $3`,
    [key, Math.round(expiresAt), Date.now()],
  );
  return (rowCount ?? 0) > 0;
}
