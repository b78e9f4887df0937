/**
 * The PostgreSQL Store: records in tables of their own (see schema.ts), each method one
 * statement or one transaction, so any number of sidecar processes may share a database.
 * Reads go to the database; nothing is cached in the process.
 *
 * `durable: false` is not used to relax anything: every write resolves once committed,
 * which PostgreSQL makes durable as it commits (the server's `synchronous_commit`).
 */
import type pg from "pg";
import type { ExportOptions, StoreDump } from "../dump.js";
import type { KvSetOptions, NewFailure, SaveFollowerResult, Store, SyncRecord } from "../store.js";
import type {
  AccessToken,
  DailyDeliveries,
  DeliveryFailure,
  DeliveryOutcome,
  Destination,
  Followed,
  Follower,
  InboxNotice,
  OmbFollowed,
  OmbProfile,
  OutboundEntry,
  PendingSubscription,
  Protocol,
  PublishedPost,
  RequestToken,
  SyncState,
} from "../types.js";
import { dailyDeliveries } from "./daily.js";
import * as destinations from "./destinations.js";
import * as dump from "./dump.js";
import * as followed from "./followed.js";
import * as followers from "./followers.js";
import { compact, secret } from "./housekeeping.js";
import { addInbox, getInbox, listInbox, removeInbox, updateInbox } from "./inbox.js";
import * as kv from "./kv.js";
import * as leases from "./leases.js";
import * as log from "./log.js";
import { checkSchema } from "./migrate.js";
import { OutboundListener } from "./notify.js";
import { checkConnection, openPool, type PoolOptions } from "./pool.js";
import * as tokens from "./tokens.js";

/** How often expired records and delivered log entries are deleted (see `compact`). */
export const COMPACT_EVERY_MS = 10 * 60_000;

export interface PgStoreOptions extends PoolOptions {
  /** Default COMPACT_EVERY_MS. */
  compactEveryMs?: number;
}

export class PgStore implements Store {
  readonly backend = "postgres";
  readonly stats = { writes: 0, journalBytes: 0 };
  readonly #pool: pg.Pool;
  readonly #kvBound = new kv.KvBound();
  readonly #compactTimer: NodeJS.Timeout;
  #compacting: Promise<void> | undefined;
  readonly #outbound: OutboundListener;

  constructor(pool: pg.Pool, opts: PgStoreOptions = {}) {
    this.#pool = pool;
    this.#outbound = new OutboundListener(pool, (e) => opts.onBackgroundError?.(e));
    // The JSON store compacts as its journal grows; here a timer does (each process: the
    // deletes are idempotent), reporting failures as background errors.
    this.#compactTimer = setInterval(() => {
      this.#compacting ??= this.compact()
        .catch((e: unknown) => opts.onBackgroundError?.(e as Error))
        .finally(() => {
          this.#compacting = undefined;
        });
    }, opts.compactEveryMs ?? COMPACT_EVERY_MS);
    this.#compactTimer.unref();
  }

  /** Counts a write for `stats`. */
  #w<T>(p: Promise<T>): Promise<T> {
    this.stats.writes++;
    return p;
  }

  // ── followers ─────────────────────────────────────────────────────────────────────
  followers(protocol?: Protocol): Promise<Follower[]> {
    return followers.listFollowers(this.#pool, protocol);
  }
  follower(id: string): Promise<Follower | undefined> {
    return followers.getFollower(this.#pool, id);
  }
  followersAt(destination: string): Promise<Follower[]> {
    return followers.followersAt(this.#pool, destination);
  }
  countFollowers(): Promise<Record<Protocol, number>> {
    return followers.countFollowers(this.#pool);
  }
  saveFollower(
    f: Follower,
    opts: { pending?: string; sameOriginOnly?: boolean } = {},
  ): Promise<SaveFollowerResult> {
    return this.#w(followers.saveFollower(this.#pool, f, opts));
  }
  removeFollower(
    id: string,
    opts: { failure?: NewFailure; ifCredential?: string } = {},
  ): Promise<boolean> {
    return this.#w(followers.removeFollower(this.#pool, id, opts));
  }

  // ── followed accounts ─────────────────────────────────────────────────────────────
  followed(): Promise<Followed[]> {
    return followed.listFollowed(this.#pool);
  }
  followedAccount(id: string): Promise<Followed | undefined> {
    return followed.getFollowed(this.#pool, id);
  }
  saveFollowed(f: Followed, opts: { ifCredential?: string } = {}): Promise<boolean> {
    return this.#w(followed.saveFollowed(this.#pool, f, opts));
  }
  removeFollowed(id: string): Promise<boolean> {
    return this.#w(followed.removeFollowed(this.#pool, id));
  }

  // ── OMB tokens, flows, nonces ─────────────────────────────────────────────────────
  requestToken(token: string): Promise<RequestToken | undefined> {
    return tokens.getRequestToken(this.#pool, token);
  }
  saveRequestToken(t: RequestToken, opts: { maxPerSource?: number } = {}): Promise<void> {
    return this.#w(tokens.saveRequestToken(this.#pool, t, opts));
  }
  deleteRequestToken(token: string): Promise<void> {
    return this.#w(tokens.deleteRequestToken(this.#pool, token));
  }
  authorizeRequestToken(token: string, listenee: OmbProfile): Promise<RequestToken | undefined> {
    return this.#w(tokens.authorizeRequestToken(this.#pool, token, listenee));
  }
  exchangeRequestToken(
    token: string,
    access: AccessToken,
    followedAccount: OmbFollowed,
  ): Promise<boolean> {
    return this.#w(tokens.exchangeRequestToken(this.#pool, token, access, followedAccount));
  }
  accessToken(token: string): Promise<AccessToken | undefined> {
    return tokens.getAccessToken(this.#pool, token);
  }
  pendingSubscription(requestToken: string): Promise<PendingSubscription | undefined> {
    return tokens.getPending(this.#pool, requestToken);
  }
  savePendingSubscription(p: PendingSubscription): Promise<void> {
    return this.#w(tokens.savePending(this.#pool, p));
  }
  deletePendingSubscription(requestToken: string): Promise<void> {
    return this.#w(tokens.deletePending(this.#pool, requestToken));
  }
  // ── several processes on one database ─────────────────────────────────────────────
  claimDestination(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return leases.claimDestination(this.#pool, key, owner, leaseMs);
  }

  releaseDestination(key: string, owner: string): Promise<void> {
    return leases.releaseDestination(this.#pool, key, owner);
  }

  onOutbound(listener: () => void): () => void {
    return this.#outbound.subscribe(listener);
  }

  claimNonce(key: string, expiresAt: number): Promise<boolean> {
    return this.#w(tokens.claimNonce(this.#pool, key, expiresAt));
  }

  // ── outbound log, published posts, destinations ───────────────────────────────────
  headSeq(): Promise<number> {
    return log.headSeq(this.#pool);
  }
  outboundAfter(after: number, limit: number): Promise<OutboundEntry[]> {
    return log.outboundAfter(this.#pool, after, limit);
  }
  publishedPosts(): Promise<Map<string, PublishedPost>> {
    return log.publishedPosts(this.#pool);
  }
  applySync(record: SyncRecord): Promise<number[]> {
    return this.#w(log.applySync(this.#pool, record));
  }
  syncState(): Promise<SyncState> {
    return log.syncState(this.#pool);
  }
  saveSyncState(state: SyncState): Promise<void> {
    return this.#w(log.saveSyncState(this.#pool, state));
  }
  destinations(): Promise<Destination[]> {
    return destinations.listDestinations(this.#pool);
  }
  destination(key: string): Promise<Destination | undefined> {
    return destinations.getDestination(this.#pool, key);
  }
  updateDestination(
    d: Destination,
    opts: { failure?: NewFailure; durable?: boolean; count?: DeliveryOutcome } = {},
  ): Promise<boolean> {
    return this.#w(destinations.updateDestination(this.#pool, d, opts));
  }
  recordFailure(failure: NewFailure): Promise<void> {
    return this.#w(destinations.insertFailure(this.#pool, failure));
  }
  failures(limit = 100): Promise<DeliveryFailure[]> {
    return destinations.listFailures(this.#pool, limit);
  }
  dailyDeliveries(days: number): Promise<DailyDeliveries[]> {
    return dailyDeliveries(this.#pool, days);
  }

  // ── inbox ─────────────────────────────────────────────────────────────────────────
  addInbox(n: InboxNotice): Promise<boolean> {
    return this.#w(addInbox(this.#pool, n));
  }
  updateInbox(n: InboxNotice): Promise<boolean> {
    return this.#w(updateInbox(this.#pool, n));
  }
  removeInbox(uri: string): Promise<boolean> {
    return this.#w(removeInbox(this.#pool, uri));
  }
  inboxNotice(uri: string): Promise<InboxNotice | undefined> {
    return getInbox(this.#pool, uri);
  }
  inbox(limit = Number.POSITIVE_INFINITY): Promise<InboxNotice[]> {
    return listInbox(this.#pool, limit);
  }

  // ── key–value entries ─────────────────────────────────────────────────────────────
  kvGet(key: string): Promise<unknown> {
    return kv.kvGet(this.#pool, key);
  }
  async kvSet(key: string, value: unknown, opts: KvSetOptions = {}): Promise<void> {
    if (value === undefined) throw new TypeError(`Store.kvSet: no value for "${key}"`);
    if (await this.#w(kv.kvSet(this.#pool, key, value, opts)))
      await this.#kvBound.added(this.#pool, key);
  }
  kvDelete(key: string): Promise<void> {
    return this.#w(kv.kvDelete(this.#pool, key));
  }
  async kvCas(
    key: string,
    expected: unknown,
    next: unknown,
    opts: KvSetOptions = {},
  ): Promise<boolean> {
    const { ok, added } = await this.#w(kv.kvCas(this.#pool, key, expected, next, opts));
    if (added) await this.#kvBound.added(this.#pool, key);
    return ok;
  }
  kvList(prefix: string): Promise<{ key: string; value: unknown }[]> {
    return kv.kvList(this.#pool, prefix);
  }

  // ── housekeeping ──────────────────────────────────────────────────────────────────
  secret(name: string): Promise<string> {
    return secret(this.#pool, name);
  }
  exportDump(opts?: ExportOptions): Promise<StoreDump> {
    return dump.exportDump(this.#pool, opts);
  }
  importDump(d: StoreDump): Promise<void> {
    return this.#w(dump.importDump(this.#pool, d));
  }
  compact(): Promise<void> {
    return compact(this.#pool);
  }
  async close(): Promise<void> {
    clearInterval(this.#compactTimer);
    await this.#compacting;
    await this.#outbound.close();
    await this.#pool.end();
  }
}

/**
 * Opens the store on `url`: connects (a PostgresError saying why not), then refuses a
 * schema this build cannot use (see `checkSchema`).
 */
export async function openPostgresStore(url: string, opts: PgStoreOptions = {}): Promise<Store> {
  const pool = openPool(url, opts);
  try {
    await checkConnection(pool, url);
    await checkSchema(pool);
  } catch (e) {
    await pool.end();
    throw e;
  }
  return new PgStore(pool, opts);
}
