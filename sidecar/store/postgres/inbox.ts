/** Posts received from followed accounts, in PostgreSQL: a URI stored once (its primary key). */
import type { InboxNotice } from "../types.js";
import { limitParam } from "./log.js";
import { type Db, json } from "./transaction.js";

export async function addInbox(db: Db, n: InboxNotice): Promise<boolean> {
  const { rowCount } = await db.query(
    "INSERT INTO inbox (uri, body) VALUES ($1, $2) ON CONFLICT (uri) DO NOTHING",
    [n.uri, json(n)],
  );
  return (rowCount ?? 0) > 0;
}

/** Newest first. */
export async function listInbox(db: Db, limit: number): Promise<InboxNotice[]> {
  const { rows } = await db.query<{ body: InboxNotice }>(
    "SELECT body FROM inbox ORDER BY pos DESC LIMIT $1",
    [limitParam(limit)],
  );
  return rows.map((r) => r.body);
}
