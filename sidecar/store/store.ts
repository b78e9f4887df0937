/** The Store: everything the sidecar remembers, behind one async, protocol-neutral interface. */
import type { ExportOptions, StoreDump } from "./dump.js";
import type {
  AccessToken,
  DailyDeliveries,
  DeliveryFailure,
  DeliveryOutcome,
  Destination,
  Followed,
  Follower,
  InboxNotice,
  NewOutboundEntry,
  OmbFollowed,
  OmbProfile,
  OutboundEntry,
  PendingSubscription,
  Protocol,
  PublishedPost,
  RequestToken,
  SyncState,
} from "./types.js";

/** A failure record as a caller gives it; the store adds the id and the time. */
export type NewFailure = Omit<DeliveryFailure, "id" | "at">;

/** How a key–value entry is written (see `Store.kvSet`). */
export interface KvSetOptions {
  /** Expires this many milliseconds from now; without it, the entry stays until deleted. */
  ttlMs?: number;
  /** false: resolves once decided and written, not fsynced (caches). Default true. */
  durable?: boolean;
}

/** What `saveFollower` did. */
export type SaveFollowerResult = "added" | "replaced" | "taken";

/** One entry a sync appends, and the post record it writes with the entry's sequence number. */
export interface SyncEntry {
  entry: NewOutboundEntry;
  post?: Omit<PublishedPost, "seq">;
}

/** What one sync records (see `applySync`). */
export interface SyncRecord {
  /** Appended to the log, oldest first; each gets the next sequence number. */
  entries: SyncEntry[];
  /** Published-post records written as given (new, re-versioned, removed, or the baseline). */
  posts: PublishedPost[];
  state: SyncState;
  /**
   * The log head the sync was planned against. When another sync (another process on a
   * shared store) appended meanwhile, nothing is written and a SyncConflictError is thrown:
   * planned again, the sync finds those posts already in the log instead of adding them twice.
   */
  expectHead?: number;
}

/** `applySync` found the log moved on since its sync was planned (see `SyncRecord.expectHead`). */
export class SyncConflictError extends Error {
  override name = "SyncConflictError";
  constructor(
    readonly head: number,
    readonly expected: number,
  ) {
    super(`another sync appended to the log meanwhile (head ${head}, planned at ${expected})`);
  }
}

/**
 * Every check-then-write is one named method, atomic in every backend (the JSON store runs
 * it in one synchronous step and one journal line; a SQL store in one statement or
 * transaction), so several processes may share one backend. Reads may be served from
 * memory; every write resolves once it is durable unless it says otherwise.
 */
export interface Store {
  /** "json", "memory", "postgres": what the status page shows. */
  readonly backend: string;

  // ── sharing one store between sidecar processes (PostgreSQL; absent: one process) ──
  /**
   * Claims destination `key` for `owner` until `leaseMs` from now, in one atomic step: true
   * when it was unclaimed, its lease had lapsed, or `owner` held it (renewed). Two
   * processes never push one destination at once, and a killed process's claim lapses.
   * The JSON backend leaves it out: its file lock admits one process.
   */
  claimDestination?(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Ends `owner`'s claim on `key` (no-op when it holds none). */
  releaseDestination?(key: string, owner: string): Promise<void>;
  /**
   * Calls `listener` when any process appended to the outbound log (PostgreSQL's
   * LISTEN/NOTIFY), so every process's worker wakes without polling. Returns the unsubscribe.
   */
  onOutbound?(listener: () => void): () => void;

  // ── followers: remote accounts following the site ─────────────────────────────────
  followers(protocol?: Protocol): Promise<Follower[]>;
  follower(id: string): Promise<Follower | undefined>;
  /** Followers whose deliveries go to this destination, in the order they were added. */
  followersAt(destination: string): Promise<Follower[]>;
  countFollowers(): Promise<Record<Protocol, number>>;
  /**
   * Adds or replaces a follower, and in the same step: creates its destination at the head
   * of the log when new or given up (a new follower never receives the backlog), drops the
   * old destination when the follower moved and was the last there, and deletes the pending
   * subscribe flow `pending` names. `sameOriginOnly`: an existing follower with this id whose
   * destination is on another origin is kept and "taken" is answered (no takeover).
   */
  saveFollower(
    f: Follower,
    opts?: { pending?: string; sameOriginOnly?: boolean },
  ): Promise<SaveFollowerResult>;
  /**
   * Removes a follower (and its destination when it was the last one there), with an
   * optional failure record. `ifCredential`: only while its credential is still this one
   * (`credentialOf`): a follower who followed again meanwhile is kept.
   */
  removeFollower(
    id: string,
    opts?: { failure?: NewFailure; ifCredential?: string },
  ): Promise<boolean>;

  // ── followed accounts: remote authors the site follows ────────────────────────────
  followed(): Promise<Followed[]>;
  followedAccount(id: string): Promise<Followed | undefined>;
  /**
   * Adds or replaces a followed account. `ifCredential`: only while the stored record still
   * has this credential (`credentialOf`): false when it was removed or replaced meanwhile.
   */
  saveFollowed(f: Followed, opts?: { ifCredential?: string }): Promise<boolean>;
  /** Stops following; an OMB access token is deleted too, so their next push gets 403. */
  removeFollowed(id: string): Promise<boolean>;

  // ── OMB provider tokens and consumer flows ────────────────────────────────────────
  requestToken(token: string): Promise<RequestToken | undefined>;
  /**
   * Saves a request token. `maxPerSource`: in the same step, the oldest "issued" tokens of
   * `t.source` are deleted so that at most that many (this one included) remain.
   */
  saveRequestToken(t: RequestToken, opts?: { maxPerSource?: number }): Promise<void>;
  deleteRequestToken(token: string): Promise<void>;
  /** "issued" → "authorized" for `listenee`; the token as it is now, or undefined if it was not "issued". */
  authorizeRequestToken(token: string, listenee: OmbProfile): Promise<RequestToken | undefined>;
  /**
   * "authorized" → "used", storing the access token and the followed account it creates,
   * and deleting the access token that account had before (a re-follow). False when the
   * request token is no longer "authorized" (a concurrent exchange won).
   */
  exchangeRequestToken(token: string, access: AccessToken, followed: OmbFollowed): Promise<boolean>;
  accessToken(token: string): Promise<AccessToken | undefined>;
  pendingSubscription(requestToken: string): Promise<PendingSubscription | undefined>;
  savePendingSubscription(p: PendingSubscription): Promise<void>;
  deletePendingSubscription(requestToken: string): Promise<void>;

  /**
   * Records a nonce unless it is already recorded and unexpired; false means a replay. With
   * `durable: false` it resolves once the claim is decided, and the claim is durable no later
   * than the next write of this store that resolves (for a caller that writes anyway before
   * answering: inbound OMB notices wait for the disk once, not twice).
   */
  claimNonce(key: string, expiresAt: number, opts?: { durable?: boolean }): Promise<boolean>;

  // ── the outbound log, published posts, destinations ───────────────────────────────
  headSeq(): Promise<number>;
  /** Up to `limit` entries with seq > `after`, oldest first. */
  outboundAfter(after: number, limit: number): Promise<OutboundEntry[]>;
  /** Every post the log has seen, by URI (what a sync diffs the manifest against). */
  publishedPosts(): Promise<Map<string, PublishedPost>>;
  /** Records one sync in a single durable step; the sequence numbers of the new entries. */
  applySync(record: SyncRecord): Promise<number[]>;
  syncState(): Promise<SyncState>;
  saveSyncState(state: SyncState): Promise<void>;
  destinations(): Promise<Destination[]>;
  destination(key: string): Promise<Destination | undefined>;
  /**
   * Saves a destination's cursor and retry state, with an optional failure record, unless
   * the destination was removed meanwhile (false). `durable: false` (a cursor moved past a
   * delivered entry) waits for the write, not the fsync: a crash of the process loses
   * nothing, a power cut may resend the last second of deliveries. `count`: adds one to
   * today's `dailyDeliveries` in the same step.
   */
  updateDestination(
    d: Destination,
    opts?: { failure?: NewFailure; durable?: boolean; count?: DeliveryOutcome },
  ): Promise<boolean>;
  recordFailure(failure: NewFailure): Promise<void>;
  /** Permanent failures, newest first. */
  failures(limit?: number): Promise<DeliveryFailure[]>;
  /**
   * What `updateDestination`'s `count` added up per UTC day: the last `days` days, today
   * included, oldest first, days without a count as zeros. Only the last 30 days are kept.
   */
  dailyDeliveries(days: number): Promise<DailyDeliveries[]>;

  // ── inbox: posts from accounts the site follows ───────────────────────────────────
  /** Stores a received post; false if its URI is already stored. */
  addInbox(n: InboxNotice): Promise<boolean>;
  /** Replaces the stored post with `n.uri` (an edit; its place kept); false when absent. */
  updateInbox(n: InboxNotice): Promise<boolean>;
  /** Removes a received post (its author deleted it); false when absent. */
  removeInbox(uri: string): Promise<boolean>;
  inboxNotice(uri: string): Promise<InboxNotice | undefined>;
  /** Received posts, newest first. */
  inbox(limit?: number): Promise<InboxNotice[]>;

  // ── key–value entries: caches and small protocol state (Fedify's KvStore sits here) ─
  /** The value at `key`; undefined when absent or expired. */
  kvGet(key: string): Promise<unknown>;
  /**
   * Sets `key` to a JSON value (stored as its JSON form: what you get back is a copy).
   * `ttlMs`: the entry expires after that long. Bounded: expired entries are pruned at
   * compaction, and past MAX_KV_ENTRIES the entries expiring soonest are dropped on the
   * next write; entries without `ttlMs` are never dropped, so their owner bounds them.
   * `durable: false` as for `claimNonce` (for caches).
   */
  kvSet(key: string, value: unknown, opts?: KvSetOptions): Promise<void>;
  kvDelete(key: string): Promise<void>;
  /**
   * Sets `key` to `next` (undefined deletes it) only while its live value deep-equals
   * `expected` (undefined: absent); false, and nothing written, otherwise.
   */
  kvCas(key: string, expected: unknown, next: unknown, opts?: KvSetOptions): Promise<boolean>;
  /** The live entries whose key starts with `prefix` (every live entry for ""). */
  kvList(prefix: string): Promise<{ key: string; value: unknown }[]>;

  // ── housekeeping ──────────────────────────────────────────────────────────────────
  /** A random secret created on first use and kept (cookie keys); the same value for every caller. */
  secret(name: string): Promise<string>;
  /**
   * Everything the store holds, as one backend-neutral dump (`eleventy-federation store
   * copy`): a consistent snapshot (PostgreSQL: one REPEATABLE READ read-only transaction).
   * Nonces and kv entries expired at `opts.now` are left out. Absent: the backend cannot.
   */
  exportDump?(opts?: ExportOptions): Promise<StoreDump>;
  /**
   * Writes a dump into this store in one durable step (one transaction, one journal line),
   * refusing with a StoreNotEmptyError, and writing nothing, unless the store is empty.
   */
  importDump?(d: StoreDump): Promise<void>;
  /** Folds the backend's log into its base state and forgets what has expired. */
  compact(): Promise<void>;
  /** Write calls and bytes since start: what benchmarks report. */
  readonly stats: { writes: number; journalBytes: number };
  close(): Promise<void>;
}

/** The key of the destination at `url` for `protocol` (a URL could serve two protocols). */
export function destinationKey(protocol: Protocol, url: string): string {
  return `${protocol} ${url}`;
}

/** Where a follower's deliveries go. */
export function destinationOf(f: Follower): { key: string; protocol: Protocol; url: string } {
  const url =
    f.protocol === "omb"
      ? f.credentials.postNoticeUrl
      : (f.credentials.sharedInbox ?? f.credentials.inbox);
  return { key: destinationKey(f.protocol, url), protocol: f.protocol, url };
}

/** What identifies one grant of a follow: the OMB access token, or the AP Follow's id. */
export function credentialOf(f: Follower | Followed): string {
  return f.protocol === "omb" ? f.credentials.token : f.credentials.followId;
}

/** The web origin of a URL, or the URL itself when it does not parse. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

export type * from "./types.js";
