/** Migrates a JSON store of an older schema (its snapshot and journal) to the current one. */
import { destinationKey } from "../store.js";
import { SCHEMA_VERSION, type Snapshot } from "../tables/tables.js";

/** One journal line: a sequence number and its operations. */
export interface JournalRecord {
  s: number;
  o: [string, string, unknown][];
}

type RawTables = Record<string, Record<string, unknown>>;

/**
 * The current schema's snapshot from an older snapshot plus the journal lines written after
 * it (replayed first, in the old shape, so nothing acknowledged is lost). The sequence
 * number is kept, so journal lines already folded in are skipped if the journal outlives
 * the new snapshot (a crash between the two writes).
 */
export function migrateToCurrent(
  snap: { schema: number; seq: number; tables: RawTables },
  records: JournalRecord[],
): Snapshot {
  const tables: RawTables = {};
  for (const [name, rows] of Object.entries(snap.tables ?? {})) tables[name] = { ...rows };
  let seq = snap.seq;
  for (const r of records) {
    if (r.s <= seq) continue;
    for (const [table, key, value] of r.o) {
      tables[table] ??= {};
      const rows = tables[table];
      if (value === null) delete rows[key];
      else rows[key] = value;
    }
    seq = r.s;
  }
  let schema = snap.schema;
  if (schema < 2) {
    migrateV1(tables);
    schema = 2;
  }
  if (schema !== SCHEMA_VERSION) throw new Error(`store migration stopped at schema ${schema}`);
  return { schema, seq, tables: tables as Snapshot["tables"] };
}

interface V1Subscriber {
  uri: string;
  profile: unknown;
  postNoticeUrl: string;
  updateProfileUrl: string;
  token: string;
  secret: string;
  subscribedAt: string;
}

interface V1Following {
  uri: string;
  profile: unknown;
  token: string;
  consumerKey: string;
  since: string;
}

/**
 * Schema 1 → 2: subscribers become OMB followers, following entries OMB followed accounts,
 * destinations are keyed by protocol + URL, published posts become records, inbox posts
 * and failures name their protocol and destination key. Every other table is unchanged.
 */
function migrateV1(t: RawTables): void {
  const omb = (url: string) => destinationKey("omb", url);
  t.followers = {};
  for (const s of Object.values(t.subscribers ?? {}) as V1Subscriber[]) {
    t.followers[s.uri] = {
      protocol: "omb",
      id: s.uri,
      profile: s.profile,
      credentials: {
        postNoticeUrl: s.postNoticeUrl,
        updateProfileUrl: s.updateProfileUrl,
        token: s.token,
        secret: s.secret,
      },
      since: s.subscribedAt,
    };
  }
  delete t.subscribers;
  t.followed = {};
  for (const f of Object.values(t.following ?? {}) as V1Following[]) {
    t.followed[f.uri] = {
      protocol: "omb",
      id: f.uri,
      profile: f.profile,
      credentials: { token: f.token, consumerKey: f.consumerKey },
      since: f.since,
    };
  }
  delete t.following;
  const destinations: Record<string, unknown> = {};
  for (const d of Object.values(t.destinations ?? {}) as { url: string }[]) {
    destinations[omb(d.url)] = { ...d, key: omb(d.url), protocol: "omb" };
  }
  t.destinations = destinations;
  const published: Record<string, unknown> = {};
  for (const [uri, seq] of Object.entries(t.published ?? {})) published[uri] = { uri, seq };
  t.published = published;
  for (const [uri, n] of Object.entries(t.inbox ?? {}))
    (t.inbox as RawTables)[uri] = { protocol: "omb", ...(n as object) };
  for (const [id, f] of Object.entries(t.failures ?? {}))
    (t.failures as RawTables)[id] = { ...(f as object), protocol: "omb" };
}
