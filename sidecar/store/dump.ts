/**
 * A whole store as one backend-neutral JSON document (`Store.exportDump`, `Store.importDump`):
 * what `eleventy-federation store copy` moves between the JSON files and PostgreSQL. Lists
 * whose order a backend keeps (followers, destinations, the log, kv, …) are in that order,
 * so a round trip keeps it; the others are sorted by key, so two dumps of one state are equal.
 */
import type {
  AccessToken,
  DailyDeliveries,
  DeliveryFailure,
  Destination,
  Followed,
  Follower,
  InboxNotice,
  OutboundEntry,
  PendingSubscription,
  PublishedPost,
  RequestToken,
  SyncState,
} from "./types.js";

/** Bumped when the dump's shape changes; `importDump` refuses any other. */
export const DUMP_FORMAT = 1;

export interface StoreDump {
  format: typeof DUMP_FORMAT;
  /** Sequence number of the last entry ever appended (delivered entries may be gone). */
  head: number;
  sync: SyncState;
  /** Oldest first. */
  outbound: OutboundEntry[];
  /** By (seq, uri). */
  published: PublishedPost[];
  /** In the order they were created, with their cursors and retry state. */
  destinations: Destination[];
  /** Both protocols, in the order they were added. */
  followers: Follower[];
  /** In the order they were added. */
  followed: Followed[];
  /** Oldest first. */
  failures: DeliveryFailure[];
  /** Every state, oldest first (the per-source cap evicts the oldest). */
  requestTokens: RequestToken[];
  /** By token. */
  accessTokens: AccessToken[];
  /** By request token. */
  pending: PendingSubscription[];
  /** Only those still in their window at export time, by key. */
  nonces: { key: string; expiresAt: number }[];
  /** Oldest first. */
  inbox: InboxNotice[];
  /** Live entries in the order first written; `expiresAt` (epoch ms) when they have a TTL. */
  kv: { key: string; value: unknown; expiresAt?: number }[];
  /** By name. */
  secrets: { name: string; value: string }[];
  /** By day. */
  daily: DailyDeliveries[];
}

/** The dump's lists, in the order a copy reports them. */
export const DUMP_TABLES = [
  "followers",
  "destinations",
  "followed",
  "outbound",
  "published",
  "failures",
  "requestTokens",
  "accessTokens",
  "pending",
  "nonces",
  "inbox",
  "kv",
  "secrets",
  "daily",
] as const satisfies readonly (keyof StoreDump)[];
export type DumpTable = (typeof DUMP_TABLES)[number];
export type DumpCounts = Record<DumpTable, number>;

export interface ExportOptions {
  /** What "still unexpired" is measured against (default now): one `now` for two exports compares them. */
  now?: number;
}

/** `importDump` into a store that already holds something: nothing was written. */
export class StoreNotEmptyError extends Error {
  override name = "StoreNotEmptyError";
}

/** Records per list. */
export function dumpCounts(d: StoreDump): DumpCounts {
  return Object.fromEntries(DUMP_TABLES.map((t) => [t, d[t].length])) as DumpCounts;
}

/** `items` sorted by `key` in code-unit order (never a database collation: both sides agree). */
export function sortedBy<T>(items: Iterable<T>, key: (item: T) => string | number): T[] {
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Published posts in the dump's order: by seq, then URI. */
export function sortedPosts(posts: Iterable<PublishedPost>): PublishedPost[] {
  return sortedBy(
    sortedBy(posts, (p) => p.uri),
    (p) => p.seq,
  );
}

/**
 * Refuses to import into a store holding records: `found` is what it holds per table (raw,
 * expired rows included), `head` its log head. The message names every non-empty table.
 */
export function refuseUnlessEmpty(backend: string, found: DumpCounts, head: number): void {
  const held = DUMP_TABLES.filter((t) => found[t] > 0).map((t) => `${found[t]} ${t}`);
  if (head > 0) held.push(`a log head at ${head}`);
  if (held.length > 0)
    throw new StoreNotEmptyError(
      `eleventy-federation: the ${backend} store is not empty (it holds ${held.join(", ")}); a copy goes only into an empty store: a new JSON file, or a freshly migrated database.`,
    );
}

/** Refuses a dump of another format (a dump is only ever made by this build, but say so if not). */
export function checkDumpFormat(d: StoreDump): void {
  if (d.format !== DUMP_FORMAT)
    throw new Error(
      `eleventy-federation: store dump format ${String(d.format)}, this build reads ${DUMP_FORMAT}`,
    );
}
