/** Accounts the site follows, in PostgreSQL: conditional saves in one statement, removal with its token. */
import { credentialOf } from "../store.js";
import type { Followed } from "../types.js";
import { type Db, json } from "./transaction.js";

type BodyRow = { body: Followed };

export async function listFollowed(db: Db): Promise<Followed[]> {
  const { rows } = await db.query<BodyRow>("SELECT body FROM followed ORDER BY pos");
  return rows.map((r) => r.body);
}

export async function getFollowed(db: Db, id: string): Promise<Followed | undefined> {
  const { rows } = await db.query<BodyRow>("SELECT body FROM followed WHERE id = $1", [id]);
  return rows[0]?.body;
}

/** Adds or replaces `f`. */
export async function upsertFollowed(db: Db, f: Followed): Promise<void> {
  await db.query(
    `INSERT INTO followed (id, protocol, credential, body) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET protocol = excluded.protocol,
       credential = excluded.credential, body = excluded.body`,
    [f.id, f.protocol, credentialOf(f), json(f)],
  );
}

/** See `Store.saveFollowed`: with `ifCredential`, one UPDATE that matches only the same grant. */
export async function saveFollowed(
  db: Db,
  f: Followed,
  opts: { ifCredential?: string },
): Promise<boolean> {
  if (opts.ifCredential === undefined) {
    await upsertFollowed(db, f);
    return true;
  }
  const { rowCount } = await db.query(
    `UPDATE followed SET protocol = $2, credential = $3, body = $4
     WHERE id = $1 AND credential = $5`,
    [f.id, f.protocol, credentialOf(f), json(f), opts.ifCredential],
  );
  return (rowCount ?? 0) > 0;
}

/** See `Store.removeFollowed`: one statement deletes the account and its OMB access token. */
export async function removeFollowed(db: Db, id: string): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(
    `WITH gone AS (DELETE FROM followed WHERE id = $1 RETURNING protocol, credential),
     revoked AS (DELETE FROM access_tokens
       WHERE token IN (SELECT credential FROM gone WHERE protocol = 'omb'))
     SELECT count(*)::int AS n FROM gone`,
    [id],
  );
  return (rows[0]?.n ?? 0) > 0;
}
