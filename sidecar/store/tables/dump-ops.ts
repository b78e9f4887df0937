/** The table stores' side of `Store.exportDump` / `importDump`: the tables as a dump, a dump as one change. */
import {
  checkDumpFormat,
  DUMP_FORMAT,
  DUMP_TABLES,
  type DumpCounts,
  type ExportOptions,
  refuseUnlessEmpty,
  type StoreDump,
  sortedBy,
  sortedPosts,
} from "../dump.js";
import type {
  AccessToken,
  DailyDeliveries,
  DeliveryFailure,
  Destination,
  Followed,
  Follower,
  InboxNotice,
  PendingSubscription,
  PublishedPost,
  RequestToken,
  SyncState,
} from "../types.js";
import type { TableIndexes } from "./indexes.js";
import type { KvRecord } from "./kv-ops.js";
import type { Op, Tables } from "./tables.js";

const HEAD = "outboundHead";
const SYNC = "sync";
const SECRET = "secret:";

/** Every meta key is one the dump carries: a new kind of record must not be lost silently. */
function secretsOf(t: Tables): { name: string; value: string }[] {
  const secrets: { name: string; value: string }[] = [];
  for (const [key, value] of t.maps.meta) {
    if (key.startsWith(SECRET)) secrets.push({ name: key.slice(SECRET.length), value: `${value}` });
    else if (key !== HEAD && key !== SYNC)
      throw new Error(`TableStore.exportDump: meta record "${key}" has no place in a store dump`);
  }
  return sortedBy(secrets, (s) => s.name);
}

/** The tables as a dump: a plain JSON copy (no live record shared, no undefined field). */
export function exportTables(t: Tables, ix: TableIndexes, opts: ExportOptions = {}): StoreDump {
  const now = opts.now ?? Date.now();
  const kv: StoreDump["kv"] = [];
  for (const [key, rec] of t.maps.kv as Map<string, KvRecord>) {
    if (rec.exp === undefined) kv.push({ key, value: rec.v });
    else if (rec.exp > now) kv.push({ key, value: rec.v, expiresAt: rec.exp });
  }
  const nonces = [...(t.maps.nonces as Map<string, number>)]
    .filter(([, expiresAt]) => expiresAt > now)
    .map(([key, expiresAt]) => ({ key, expiresAt }));
  const dump: StoreDump = {
    format: DUMP_FORMAT,
    head: t.get<number>("meta", HEAD) ?? 0,
    sync: t.get<SyncState>("meta", SYNC) ?? { initialized: false },
    outbound: ix.log(),
    published: sortedPosts(t.values<PublishedPost>("published")),
    destinations: [...t.values<Destination>("destinations")],
    followers: [...t.values<Follower>("followers")],
    followed: [...t.values<Followed>("followed")],
    failures: [...t.values<DeliveryFailure>("failures")],
    requestTokens: [...t.values<RequestToken>("requestTokens")],
    accessTokens: sortedBy(t.values<AccessToken>("accessTokens"), (a) => a.token),
    pending: sortedBy(t.values<PendingSubscription>("pending"), (p) => p.requestToken),
    nonces: sortedBy(nonces, (n) => n.key),
    inbox: [...t.values<InboxNotice>("inbox")],
    kv,
    secrets: secretsOf(t),
    daily: sortedBy(t.values<DailyDeliveries>("daily"), (d) => d.day),
  };
  return JSON.parse(JSON.stringify(dump)) as StoreDump;
}

/** What the tables hold per dump list, expired records included (what an import refuses). */
function rawCounts(t: Tables): DumpCounts {
  const secrets = [...t.maps.meta.keys()].filter((k) => k.startsWith(SECRET)).length;
  // Every other list has the name of the table it comes from.
  return Object.fromEntries(
    DUMP_TABLES.map((list) => [list, list === "secrets" ? secrets : t.size(list)]),
  ) as DumpCounts;
}

/** The dump as one change to empty tables (a StoreNotEmptyError, nothing written, otherwise). */
export function importOps(backend: string, t: Tables, d: StoreDump): Op[] {
  checkDumpFormat(d);
  refuseUnlessEmpty(backend, rawCounts(t), t.get<number>("meta", HEAD) ?? 0);
  const ops: Op[] = [
    ["meta", HEAD, d.head],
    ["meta", SYNC, d.sync],
  ];
  for (const s of d.secrets) ops.push(["meta", `${SECRET}${s.name}`, s.value]);
  for (const f of d.followers) ops.push(["followers", f.id, f]);
  for (const x of d.destinations) ops.push(["destinations", x.key, x]);
  for (const f of d.followed) ops.push(["followed", f.id, f]);
  for (const f of d.failures) ops.push(["failures", f.id, f]);
  for (const r of d.requestTokens) ops.push(["requestTokens", r.token, r]);
  for (const n of d.inbox) ops.push(["inbox", n.uri, n]);
  for (const e of d.outbound) ops.push(["outbound", String(e.seq), e]);
  for (const p of d.published) ops.push(["published", p.uri, p]);
  for (const a of d.accessTokens) ops.push(["accessTokens", a.token, a]);
  for (const p of d.pending) ops.push(["pending", p.requestToken, p]);
  for (const n of d.nonces) ops.push(["nonces", n.key, n.expiresAt]);
  for (const e of d.kv) {
    const rec: KvRecord = { v: e.value };
    if (e.expiresAt !== undefined) rec.exp = e.expiresAt;
    ops.push(["kv", e.key, rec]);
  }
  for (const day of d.daily) ops.push(["daily", day.day, day]);
  return ops;
}
