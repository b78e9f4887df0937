/** The Store over named tables in memory: each method checks and writes in one synchronous step. */
import { randomBytes } from "node:crypto";
import type { ExportOptions, StoreDump } from "../dump.js";
import {
  credentialOf,
  type KvSetOptions,
  type NewFailure,
  type SaveFollowerResult,
  type Store,
  type SyncRecord,
} from "../store.js";
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
import { countOps, recentDays } from "./daily-deliveries.js";
import { exportTables, importOps } from "./dump-ops.js";
import { TableIndexes } from "./indexes.js";
import { kvEntries, kvMatches, kvValue, kvWriteOps } from "./kv-ops.js";
import { exchangeOps, failureOp, removeFollowerOps, saveFollowerOps, syncOps } from "./ops.js";
import { PENDING_TTL, pruneOps } from "./prune.js";
import type { TableLog } from "./table-log.js";
import type { Op, Tables } from "./tables.js";

/** Opens the log a TableStore writes through; `prune` says what a compaction may forget. */
export type OpenTableLog = (prune: (t: Tables) => Op[]) => Promise<TableLog>;

/**
 * Reads come from memory; every write is one `TableLog.commit` of the operations it
 * decided on synchronously, so no other call can interleave between check and write.
 */
export class TableStore implements Store {
  readonly backend: string;
  #log!: TableLog;
  #t!: Tables;
  #ix: TableIndexes | undefined;

  private constructor(backend: string) {
    this.backend = backend;
  }

  static async open(backend: string, openLog: OpenTableLog): Promise<TableStore> {
    const store = new TableStore(backend);
    // The log may compact while it opens, before the indexes exist: nothing to prune then.
    store.#log = await openLog((t) => (store.#ix ? pruneOps(t, store.#ix) : []));
    store.#t = store.#log.tables;
    store.#ix = new TableIndexes(store.#t);
    return store;
  }

  #indexes(): TableIndexes {
    if (!this.#ix) throw new Error("TableStore: used before it was opened");
    return this.#ix;
  }

  #commit(ops: readonly Op[], durable = true): Promise<void> {
    return this.#log.commit(ops, { durable });
  }

  // ── followers ─────────────────────────────────────────────────────────────────────

  async followers(protocol?: Protocol): Promise<Follower[]> {
    const all = [...this.#t.values<Follower>("followers")];
    return protocol ? all.filter((f) => f.protocol === protocol) : all;
  }

  async follower(id: string): Promise<Follower | undefined> {
    return this.#t.get("followers", id);
  }

  async followersAt(destination: string): Promise<Follower[]> {
    const ids = this.#indexes().byDestination.get(destination) ?? [];
    return [...ids].map((id) => this.#t.get<Follower>("followers", id)).filter((f) => !!f);
  }

  async countFollowers(): Promise<Record<Protocol, number>> {
    const counts: Record<Protocol, number> = { omb: 0, activitypub: 0 };
    for (const f of this.#t.values<Follower>("followers")) counts[f.protocol]++;
    return counts;
  }

  async saveFollower(
    f: Follower,
    opts: { pending?: string; sameOriginOnly?: boolean } = {},
  ): Promise<SaveFollowerResult> {
    const { ops, result } = saveFollowerOps(this.#t, this.#indexes(), f, opts);
    if (ops.length > 0) await this.#commit(ops);
    return result;
  }

  async removeFollower(
    id: string,
    opts: { failure?: NewFailure; ifCredential?: string } = {},
  ): Promise<boolean> {
    const ops = removeFollowerOps(this.#t, this.#indexes(), id, opts);
    if (!ops) return false;
    await this.#commit(ops);
    return true;
  }

  // ── followed accounts ─────────────────────────────────────────────────────────────

  async followed(): Promise<Followed[]> {
    return [...this.#t.values<Followed>("followed")];
  }

  async followedAccount(id: string): Promise<Followed | undefined> {
    return this.#t.get("followed", id);
  }

  async saveFollowed(f: Followed, opts: { ifCredential?: string } = {}): Promise<boolean> {
    if (opts.ifCredential !== undefined) {
      const current = this.#t.get<Followed>("followed", f.id);
      if (!current || credentialOf(current) !== opts.ifCredential) return false;
    }
    await this.#commit([["followed", f.id, f]]);
    return true;
  }

  async removeFollowed(id: string): Promise<boolean> {
    const f = this.#t.get<Followed>("followed", id);
    if (!f) return false;
    const ops: Op[] = [["followed", id, null]];
    if (f.protocol === "omb") ops.push(["accessTokens", f.credentials.token, null]);
    await this.#commit(ops);
    return true;
  }

  // ── OMB tokens and flows ──────────────────────────────────────────────────────────

  async requestToken(token: string): Promise<RequestToken | undefined> {
    return this.#t.get("requestTokens", token);
  }

  saveRequestToken(t: RequestToken, opts: { maxPerSource?: number } = {}): Promise<void> {
    const evicted = this.#indexes().issuedPastCap(t, opts.maxPerSource);
    const ops = evicted.map((old): Op => ["requestTokens", old, null]);
    return this.#commit([...ops, ["requestTokens", t.token, t]]);
  }

  deleteRequestToken(token: string): Promise<void> {
    return this.#commit([["requestTokens", token, null]]);
  }

  async authorizeRequestToken(
    token: string,
    listenee: OmbProfile,
  ): Promise<RequestToken | undefined> {
    const t = this.#t.get<RequestToken>("requestTokens", token);
    if (t?.state !== "issued") return undefined;
    const next: RequestToken = { ...t, state: "authorized", listenee };
    await this.#commit([["requestTokens", token, next]]);
    return next;
  }

  async exchangeRequestToken(
    token: string,
    access: AccessToken,
    followed: OmbFollowed,
  ): Promise<boolean> {
    const ops = exchangeOps(this.#t, token, access, followed);
    if (!ops) return false;
    await this.#commit(ops);
    return true;
  }

  async accessToken(token: string): Promise<AccessToken | undefined> {
    return this.#t.get("accessTokens", token);
  }

  async pendingSubscription(requestToken: string): Promise<PendingSubscription | undefined> {
    const p = this.#t.get<PendingSubscription>("pending", requestToken);
    return p && Date.now() - Date.parse(p.createdAt) <= PENDING_TTL ? p : undefined;
  }

  savePendingSubscription(p: PendingSubscription): Promise<void> {
    return this.#commit([["pending", p.requestToken, p]]);
  }

  deletePendingSubscription(requestToken: string): Promise<void> {
    return this.#commit([["pending", requestToken, null]]);
  }

  async claimNonce(
    key: string,
    expiresAt: number,
    { durable = true }: { durable?: boolean } = {},
  ): Promise<boolean> {
    const seen = this.#t.get<number>("nonces", key);
    if (seen !== undefined && seen > Date.now()) return false;
    const written = this.#commit([["nonces", key, expiresAt]]);
    // The journal is written in order: any later write that resolves makes this one durable.
    if (durable) await written;
    else written.catch(() => undefined);
    return true;
  }

  // ── outbound log, published posts, destinations ───────────────────────────────────

  #head(): number {
    return this.#t.get<number>("meta", "outboundHead") ?? 0;
  }

  async headSeq(): Promise<number> {
    return this.#head();
  }

  async outboundAfter(after: number, limit: number): Promise<OutboundEntry[]> {
    return this.#indexes().entriesAfter(after, limit);
  }

  async publishedPosts(): Promise<Map<string, PublishedPost>> {
    return new Map(this.#t.maps.published as Map<string, PublishedPost>);
  }

  async applySync(record: SyncRecord): Promise<number[]> {
    const { ops, seqs } = syncOps(this.#head(), record);
    await this.#commit(ops);
    return seqs;
  }

  async syncState(): Promise<SyncState> {
    return this.#t.get<SyncState>("meta", "sync") ?? { initialized: false };
  }

  saveSyncState(state: SyncState): Promise<void> {
    return this.#commit([["meta", "sync", state]]);
  }

  async destinations(): Promise<Destination[]> {
    return [...this.#t.values<Destination>("destinations")];
  }

  async destination(key: string): Promise<Destination | undefined> {
    return this.#t.get("destinations", key);
  }

  async updateDestination(
    d: Destination,
    opts: { failure?: NewFailure; durable?: boolean; count?: DeliveryOutcome } = {},
  ): Promise<boolean> {
    if (!this.#t.get("destinations", d.key)) return false; // removed meanwhile
    const ops: Op[] = [["destinations", d.key, d]];
    if (opts.failure) ops.push(failureOp(opts.failure));
    if (opts.count) ops.push(...countOps(this.#t, opts.count));
    await this.#commit(ops, opts.durable ?? true);
    return true;
  }

  recordFailure(failure: NewFailure): Promise<void> {
    return this.#commit([failureOp(failure)]);
  }

  async failures(limit = 100): Promise<DeliveryFailure[]> {
    return [...this.#t.values<DeliveryFailure>("failures")].reverse().slice(0, limit);
  }

  async dailyDeliveries(days: number): Promise<DailyDeliveries[]> {
    return recentDays(this.#t, days);
  }

  // ── inbox ─────────────────────────────────────────────────────────────────────────

  async addInbox(n: InboxNotice): Promise<boolean> {
    if (this.#t.get("inbox", n.uri)) return false;
    await this.#commit([["inbox", n.uri, n]]);
    return true;
  }

  async updateInbox(n: InboxNotice): Promise<boolean> {
    if (!this.#t.get("inbox", n.uri)) return false;
    await this.#commit([["inbox", n.uri, n]]);
    return true;
  }

  async removeInbox(uri: string): Promise<boolean> {
    if (!this.#t.get("inbox", uri)) return false;
    await this.#commit([["inbox", uri, null]]);
    return true;
  }

  async inboxNotice(uri: string): Promise<InboxNotice | undefined> {
    return this.#t.get<InboxNotice>("inbox", uri);
  }

  async inbox(limit = Number.POSITIVE_INFINITY): Promise<InboxNotice[]> {
    return [...this.#t.values<InboxNotice>("inbox")].reverse().slice(0, limit);
  }

  // ── key–value entries ─────────────────────────────────────────────────────────────

  async kvGet(key: string): Promise<unknown> {
    return kvValue(this.#t, key);
  }

  async kvSet(key: string, value: unknown, opts: KvSetOptions = {}): Promise<void> {
    if (value === undefined) throw new TypeError(`Store.kvSet: no value for "${key}"`);
    return this.#kvCommit(kvWriteOps(this.#t, key, value, opts), opts.durable);
  }

  kvDelete(key: string): Promise<void> {
    if (this.#t.get("kv", key) === undefined) return Promise.resolve();
    return this.#commit([["kv", key, null]]);
  }

  async kvCas(
    key: string,
    expected: unknown,
    next: unknown,
    opts: KvSetOptions = {},
  ): Promise<boolean> {
    if (!kvMatches(this.#t, key, expected)) return false;
    await this.#kvCommit(kvWriteOps(this.#t, key, next, opts), opts.durable);
    return true;
  }

  async kvList(prefix: string): Promise<{ key: string; value: unknown }[]> {
    return kvEntries(this.#t, prefix);
  }

  /** As `claimNonce`: a non-durable write is decided now and made durable by the next one. */
  async #kvCommit(ops: readonly Op[], durable = true): Promise<void> {
    const written = this.#commit(ops, durable);
    if (durable) await written;
    else written.catch(() => undefined);
  }

  // ── housekeeping ──────────────────────────────────────────────────────────────────

  async secret(name: string): Promise<string> {
    const key = `secret:${name}`;
    const existing = this.#t.get<string>("meta", key);
    if (existing) return existing;
    const value = randomBytes(32).toString("base64url");
    await this.#commit([["meta", key, value]]);
    return value;
  }

  async exportDump(opts?: ExportOptions): Promise<StoreDump> {
    return exportTables(this.#t, this.#indexes(), opts);
  }

  async importDump(d: StoreDump): Promise<void> {
    await this.#commit(importOps(this.backend, this.#t, d));
  }

  compact(): Promise<void> {
    return this.#log.compact();
  }

  get stats(): { writes: number; journalBytes: number } {
    return this.#log.stats;
  }

  close(): Promise<void> {
    return this.#log.close();
  }
}
