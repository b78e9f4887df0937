/** Followers in PostgreSQL: each save or removal one transaction, with the destination it creates or drops. */
import type pg from "pg";
import {
  credentialOf,
  destinationOf,
  type NewFailure,
  originOf,
  type SaveFollowerResult,
} from "../store.js";
import type { Follower, Protocol } from "../types.js";
import { dropIfEmpty, insertFailure, startDestination } from "./destinations.js";
import { type Db, inTransaction, json, LOCKS, lockName, Rollback } from "./transaction.js";

type BodyRow = { body: Follower };

export async function listFollowers(db: Db, protocol?: Protocol): Promise<Follower[]> {
  const { rows } = protocol
    ? await db.query<BodyRow>("SELECT body FROM followers WHERE protocol = $1 ORDER BY pos", [
        protocol,
      ])
    : await db.query<BodyRow>("SELECT body FROM followers ORDER BY pos");
  return rows.map((r) => r.body);
}

export async function getFollower(db: Db, id: string): Promise<Follower | undefined> {
  const { rows } = await db.query<BodyRow>("SELECT body FROM followers WHERE id = $1", [id]);
  return rows[0]?.body;
}

export async function followersAt(db: Db, destination: string): Promise<Follower[]> {
  const { rows } = await db.query<BodyRow>(
    "SELECT body FROM followers WHERE destination = $1 ORDER BY pos",
    [destination],
  );
  return rows.map((r) => r.body);
}

export async function countFollowers(db: Db): Promise<Record<Protocol, number>> {
  const { rows } = await db.query<{ protocol: Protocol; n: number }>(
    "SELECT protocol, count(*)::int AS n FROM followers GROUP BY protocol",
  );
  const counts: Record<Protocol, number> = { omb: 0, activitypub: 0 };
  for (const r of rows) counts[r.protocol] = r.n;
  return counts;
}

/** See `Store.saveFollower`. Saves of one follower id run one at a time (an advisory lock). */
export function saveFollower(
  pool: pg.Pool,
  f: Follower,
  opts: { pending?: string; sameOriginOnly?: boolean },
): Promise<SaveFollowerResult> {
  return inTransaction(pool, async (db) => {
    await lockName(db, LOCKS.follower, f.id);
    const old = await getFollower(db, f.id);
    const dest = destinationOf(f);
    if (old && opts.sameOriginOnly && originOf(destinationOf(old).url) !== originOf(dest.url))
      throw new Rollback<SaveFollowerResult>("taken");
    await startDestination(db, dest);
    await db.query(
      `INSERT INTO followers (id, protocol, destination, credential, body) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET protocol = excluded.protocol,
         destination = excluded.destination, credential = excluded.credential, body = excluded.body`,
      [f.id, f.protocol, dest.key, credentialOf(f), json(f)],
    );
    if (opts.pending)
      await db.query("DELETE FROM pending_subscriptions WHERE request_token = $1", [opts.pending]);
    const before = old && destinationOf(old).key;
    if (before && before !== dest.key) await dropIfEmpty(db, before);
    return old ? "replaced" : "added";
  });
}

/** See `Store.removeFollower`. */
export function removeFollower(
  pool: pg.Pool,
  id: string,
  opts: { failure?: NewFailure; ifCredential?: string },
): Promise<boolean> {
  return inTransaction(pool, async (db) => {
    await lockName(db, LOCKS.follower, id);
    const { rows } = await db.query<{ destination: string }>(
      `DELETE FROM followers WHERE id = $1 AND ($2::text IS NULL OR credential = $2)
       RETURNING destination`,
      [id, opts.ifCredential ?? null],
    );
    const gone = rows[0];
    if (!gone) throw new Rollback(false);
    await dropIfEmpty(db, gone.destination);
    if (opts.failure) await insertFailure(db, opts.failure);
    return true;
  });
}
