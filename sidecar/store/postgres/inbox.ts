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

/** Replaces the stored post with `n.uri` (its place in the list kept); false when absent. */
export async function updateInbox(db: Db, n: InboxNotice): Promise<boolean> {
  const { rowCount } = await db.query("UPDATE inbox SET body = $2 WHERE uri = $1", [
    n.uri,
    json(n),
  ]);
  return (rowCount ?? 0) > 0;
}

export async function removeInbox(db: Db, uri: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM inbox WHERE uri = $1", [uri]);
  return (rowCount ?? 0) > 0;
}

export async function getInbox(db: Db, uri: string): Promise<InboxNotice | undefined> {
  const { rows } = await db.query<{ body: InboxNotice }>("SELECT body FROM inbox WHERE uri = $1", [
    uri,
  ]);
  return rows[0]?.body;
}

/** Newest first. */
export async function listInbox(db: Db, limit: number): Promise<InboxNotice[]> {
  const { rows } = await db.query<{ body: InboxNotice }>(
    "SELECT body FROM inbox ORDER BY pos DESC LIMIT $1",
    [limitParam(limit)],
  );
  return rows.map((r) => r.body);
}
