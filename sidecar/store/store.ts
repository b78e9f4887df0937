import { randomBytes, randomUUID } from "node:crypto";
import { Engine, type EngineOptions } from "./engine.js";
import type { Op, Tables } from "./tables.js";
import type {
  AccessToken,
  DeliveryFailure,
  Destination,
  Following,
  InboxNotice,
  NewOutboundEntry,
  OutboundEntry,
  PendingSubscription,
  RequestToken,
  Subscriber,
  SyncState,
} from "./types.js";

const HOUR = 3600_000;
/** Request tokens of abandoned subscribe flows are dropped after this long. */
const REQUEST_TOKEN_TTL = 24 * HOUR;
/** Subscribe flows not finished within this time are dropped. */
const PENDING_TTL = HOUR;
/** Failures kept for the owner to read; the oldest go first. */
const MAX_FAILURES = 10_000;

/**
 * Everything the sidecar remembers, behind one narrow interface (DESIGN.md "Contracts"):
 * reads come from memory, each write is one journal append that resolves once durable.
 * Records are replaced, never changed in place.
 */
export class Store {
  #engine: Engine;
  #t: Tables;
  /** postNotice URL → identifier URIs of the subscribers there. */
  #byDestination = new Map<string, Set<string>>();
  /** The outbound log in sequence order (appended only at the end). */
  #outbound: OutboundEntry[] = [];
  /** Set when entries were pruned from the front; the list is rebuilt on next use. */
  #outboundStale = false;

  private constructor(engine: Engine) {
    this.#engine = engine;
    this.#t = engine.tables;
  }

  static async open(
    dataFile: string,
    opts: Omit<EngineOptions, "beforeCompact"> = {},
  ): Promise<Store> {
    let store: Store | null = null;
    const engine = await Engine.open(dataFile, {
      ...opts,
      beforeCompact: (tables) => store?.pruneOps(tables) ?? [],
    });
    store = new Store(engine);
    store.#index();
    return store;
  }

  #index(): void {
    for (const s of this.#t.values<Subscriber>("subscribers")) this.#indexSubscriber(s, true);
    this.#rebuildOutbound();
    this.#t.onChange((table, _key, before, after) => {
      if (table === "subscribers") {
        if (before) this.#indexSubscriber(before as Subscriber, false);
        if (after) this.#indexSubscriber(after as Subscriber, true);
      } else if (table === "outbound") {
        if (after && !before) this.#outbound.push(after as OutboundEntry);
        else if (!after) this.#outboundStale = true;
      }
    });
  }

  #rebuildOutbound(): void {
    this.#outbound = [...this.#t.values<OutboundEntry>("outbound")].sort((a, b) => a.seq - b.seq);
    this.#outboundStale = false;
  }

  #log(): OutboundEntry[] {
    if (this.#outboundStale) this.#rebuildOutbound();
    return this.#outbound;
  }

  #indexSubscriber(s: Subscriber, add: boolean): void {
    let set = this.#byDestination.get(s.postNoticeUrl);
    if (add) {
      if (!set) {
        set = new Set();
        this.#byDestination.set(s.postNoticeUrl, set);
      }
      set.add(s.uri);
    } else if (set) {
      set.delete(s.uri);
      if (set.size === 0) this.#byDestination.delete(s.postNoticeUrl);
    }
  }

  // ── subscribers: remote listeners following the site ──────────────────────────────

  subscribers(): Subscriber[] {
    return [...this.#t.values<Subscriber>("subscribers")];
  }

  subscriber(uri: string): Subscriber | undefined {
    return this.#t.get("subscribers", uri);
  }

  subscribersAt(postNoticeUrl: string): Subscriber[] {
    const uris = this.#byDestination.get(postNoticeUrl) ?? [];
    return [...uris].map((u) => this.#t.get<Subscriber>("subscribers", u)).filter((s) => !!s);
  }

  /**
   * One subscriber at `postNoticeUrl` whose token is not in `usedTokens`: the delivery
   * worker's pick for each push, found without copying the destination's subscriber list.
   */
  subscriberAt(postNoticeUrl: string, usedTokens: ReadonlySet<string>): Subscriber | undefined {
    for (const uri of this.#byDestination.get(postNoticeUrl) ?? []) {
      const s = this.#t.get<Subscriber>("subscribers", uri);
      if (s && !usedTokens.has(s.token)) return s;
    }
    return undefined;
  }

  /**
   * Adds or replaces a subscriber. A new destination, or one that was given up, starts
   * afresh at the head of the log: a new subscription never receives the backlog.
   */
  saveSubscriber(s: Subscriber, also: Op[] = []): Promise<void> {
    const ops: Op[] = [["subscribers", s.uri, s], ...also];
    const current = this.#t.get<Destination>("destinations", s.postNoticeUrl);
    if (!current || current.gaveUpAt) {
      const d: Destination = { url: s.postNoticeUrl, cursor: this.headSeq(), attempts: 0 };
      ops.push(["destinations", d.url, d]);
    }
    const old = this.subscriber(s.uri);
    if (old && old.postNoticeUrl !== s.postNoticeUrl) ops.push(...this.#dropDestinationOps(old));
    return this.#engine.commit(ops);
  }

  /** Removes a subscriber (and its destination when it was the last one there). */
  async removeSubscriber(
    uri: string,
    failure?: Omit<DeliveryFailure, "id" | "at">,
  ): Promise<boolean> {
    const s = this.subscriber(uri);
    if (!s) return false;
    const ops: Op[] = [["subscribers", uri, null], ...this.#dropDestinationOps(s)];
    if (failure) ops.push(this.#failureOp(failure));
    await this.#engine.commit(ops);
    return true;
  }

  #dropDestinationOps(s: Subscriber): Op[] {
    const others = [...(this.#byDestination.get(s.postNoticeUrl) ?? [])].filter((u) => u !== s.uri);
    return others.length === 0 ? [["destinations", s.postNoticeUrl, null]] : [];
  }

  pendingSubscription(requestToken: string): PendingSubscription | undefined {
    const p = this.#t.get<PendingSubscription>("pending", requestToken);
    return p && Date.now() - Date.parse(p.createdAt) <= PENDING_TTL ? p : undefined;
  }

  savePendingSubscription(p: PendingSubscription): Promise<void> {
    return this.#engine.commit([["pending", p.requestToken, p]]);
  }

  deletePendingSubscription(requestToken: string): Promise<void> {
    return this.#engine.commit([["pending", requestToken, null]]);
  }

  /** Finishes a subscribe flow: the subscriber saved and the pending flow gone, in one step. */
  async completeSubscription(requestToken: string, s: Subscriber): Promise<void> {
    await this.saveSubscriber(s, [["pending", requestToken, null]]);
  }

  // ── the outbound log and its destinations ─────────────────────────────────────────

  headSeq(): number {
    return this.#t.get<number>("meta", "outboundHead") ?? 0;
  }

  /** Up to `limit` entries with seq > `after`, oldest first. */
  outboundAfter(after: number, limit: number): OutboundEntry[] {
    const log = this.#log();
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((log[mid]?.seq ?? 0) <= after) lo = mid + 1;
      else hi = mid;
    }
    return log.slice(lo, lo + limit);
  }

  isPublished(noticeUri: string): boolean {
    return this.#t.get("published", noticeUri) !== undefined;
  }

  /**
   * Records one sync in a single durable step: new entries appended to the log (their
   * notices marked published), `archived` notice URIs marked published without being
   * sent (the first sync), and the new sync state.
   */
  async applySync(
    entries: NewOutboundEntry[],
    archived: string[],
    state: SyncState,
  ): Promise<number[]> {
    const now = new Date().toISOString();
    let seq = this.headSeq();
    const ops: Op[] = [];
    const seqs: number[] = [];
    for (const e of entries) {
      seq++;
      seqs.push(seq);
      const entry = { ...e, seq, addedAt: now } as OutboundEntry;
      ops.push(["outbound", String(seq), entry]);
      if (e.kind === "notice") ops.push(["published", e.notice.uri, seq]);
    }
    for (const uri of archived) ops.push(["published", uri, 0]);
    ops.push(["meta", "outboundHead", seq], ["meta", "sync", state]);
    await this.#engine.commit(ops);
    return seqs;
  }

  destinations(): Destination[] {
    return [...this.#t.values<Destination>("destinations")];
  }

  destination(url: string): Destination | undefined {
    return this.#t.get("destinations", url);
  }

  /**
   * Saves a destination's cursor/retry state, with an optional permanent failure record.
   * `durable: false` (a cursor moved past a delivered notice) waits for the write, not for
   * the fsync: a crash of the process loses nothing, a power cut at worst resends notices
   * of the last second, which StatusNet answers "Duplicate notice" and we count delivered.
   */
  saveDestination(
    d: Destination,
    failure?: Omit<DeliveryFailure, "id" | "at">,
    { durable = true }: { durable?: boolean } = {},
  ): Promise<void> {
    if (!this.#t.get("destinations", d.url)) return Promise.resolve(); // removed meanwhile
    const ops: Op[] = [["destinations", d.url, d]];
    if (failure) ops.push(this.#failureOp(failure));
    return this.#engine.commit(ops, { durable });
  }

  recordFailure(failure: Omit<DeliveryFailure, "id" | "at">): Promise<void> {
    return this.#engine.commit([this.#failureOp(failure)]);
  }

  #failureOp(failure: Omit<DeliveryFailure, "id" | "at">): Op {
    const f: DeliveryFailure = { ...failure, id: randomUUID(), at: new Date().toISOString() };
    return ["failures", f.id, f];
  }

  /** Permanent failures, newest first. */
  failures(limit = 100): DeliveryFailure[] {
    return [...this.#t.values<DeliveryFailure>("failures")].reverse().slice(0, limit);
  }

  syncState(): SyncState {
    return this.#t.get<SyncState>("meta", "sync") ?? { initialized: false };
  }

  saveSyncState(state: SyncState): Promise<void> {
    return this.#engine.commit([["meta", "sync", state]]);
  }

  // ── following: remote authors the site follows (provider role) ────────────────────

  following(): Following[] {
    return [...this.#t.values<Following>("following")];
  }

  followed(uri: string): Following | undefined {
    return this.#t.get("following", uri);
  }

  /**
   * Saves a followed author and, in the same step, the request/access token changes;
   * `revokeAccess` deletes an access token the record no longer names (a re-follow).
   */
  saveFollowing(
    f: Following,
    tokens: { request?: RequestToken; access?: AccessToken; revokeAccess?: string } = {},
  ): Promise<void> {
    const ops: Op[] = [["following", f.uri, f]];
    if (tokens.request) ops.push(["requestTokens", tokens.request.token, tokens.request]);
    if (tokens.revokeAccess && tokens.revokeAccess !== tokens.access?.token)
      ops.push(["accessTokens", tokens.revokeAccess, null]);
    if (tokens.access) ops.push(["accessTokens", tokens.access.token, tokens.access]);
    return this.#engine.commit(ops);
  }

  /** Stops following: the access token is deleted, so their next push gets 403. */
  async removeFollowing(uri: string): Promise<boolean> {
    const f = this.followed(uri);
    if (!f) return false;
    await this.#engine.commit([
      ["following", uri, null],
      ["accessTokens", f.token, null],
    ]);
    return true;
  }

  requestToken(token: string): RequestToken | undefined {
    return this.#t.get("requestTokens", token);
  }

  saveRequestToken(t: RequestToken): Promise<void> {
    return this.#engine.commit([["requestTokens", t.token, t]]);
  }

  deleteRequestToken(token: string): Promise<void> {
    return this.#engine.commit([["requestTokens", token, null]]);
  }

  accessToken(token: string): AccessToken | undefined {
    return this.#t.get("accessTokens", token);
  }

  /**
   * Records a nonce unless it was seen before; false means a replay. The check and the
   * record happen in one synchronous step, so two concurrent requests cannot both pass.
   */
  async useNonce(key: string, expiresAt: number): Promise<boolean> {
    const claim = this.claimNonce(key, expiresAt);
    await claim.written;
    return claim.fresh;
  }

  /**
   * `useNonce` without waiting for the disk: whether the nonce was fresh (recorded in memory
   * at once) and its journal write. The journal is written in order, so once any LATER
   * write has resolved this one is durable too: a caller that writes anyway before
   * answering waits once, not twice (inbound postNotice: nonce, then the notice).
   */
  claimNonce(key: string, expiresAt: number): { fresh: boolean; written: Promise<void> } {
    const seen = this.#t.get<number>("nonces", key);
    if (seen !== undefined && seen > Date.now())
      return { fresh: false, written: Promise.resolve() };
    return { fresh: true, written: this.#engine.commit([["nonces", key, expiresAt]]) };
  }

  // ── inbox: notices from people the site follows ───────────────────────────────────

  /** Stores a received notice; false if its URI is already stored. */
  async addInbox(n: InboxNotice): Promise<boolean> {
    if (this.#t.get("inbox", n.uri)) return false;
    await this.#engine.commit([["inbox", n.uri, n]]);
    return true;
  }

  /** Received notices, newest first. */
  inbox(limit = Number.POSITIVE_INFINITY): InboxNotice[] {
    return [...this.#t.values<InboxNotice>("inbox")].reverse().slice(0, limit);
  }

  // ── housekeeping ──────────────────────────────────────────────────────────────────

  /** A random secret generated once and kept in the store (e.g. for signing cookies). */
  async secret(name: string): Promise<string> {
    const key = `secret:${name}`;
    const existing = this.#t.get<string>("meta", key);
    if (existing) return existing;
    const value = randomBytes(32).toString("base64url");
    await this.#engine.commit([["meta", key, value]]);
    return value;
  }

  /** What compaction may forget: expired nonces and request tokens, delivered log entries. */
  private pruneOps(t: Tables): Op[] {
    const now = Date.now();
    const ops: Op[] = [];
    for (const [k, exp] of t.maps.nonces) if ((exp as number) <= now) ops.push(["nonces", k, null]);
    for (const rt of t.values<RequestToken>("requestTokens")) {
      if (now - Date.parse(rt.createdAt) > REQUEST_TOKEN_TTL)
        ops.push(["requestTokens", rt.token, null]);
    }
    for (const p of t.values<PendingSubscription>("pending")) {
      if (now - Date.parse(p.createdAt) > PENDING_TTL) ops.push(["pending", p.requestToken, null]);
    }
    let delivered = this.headSeq();
    for (const d of t.values<Destination>("destinations"))
      delivered = Math.min(delivered, d.cursor);
    for (const e of this.#log()) {
      if (e.seq > delivered) break;
      ops.push(["outbound", String(e.seq), null]);
    }
    const failures = [...t.maps.failures.keys()];
    for (const id of failures.slice(0, Math.max(0, failures.length - MAX_FAILURES))) {
      ops.push(["failures", id, null]);
    }
    return ops;
  }

  compact(): Promise<void> {
    return this.#engine.compact();
  }

  get stats(): { writes: number; journalBytes: number } {
    return this.#engine.stats;
  }

  close(): Promise<void> {
    return this.#engine.close();
  }
}
