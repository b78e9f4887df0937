/**
 * What a batch of the content fuzzer's activities wrote to the store, judged against what
 * they may write (each case's allowance, ap-content-cases.ts): Fedify's caches and activity
 * records always; notifications, at most one per case that may add one; anything else only
 * when a case of the batch allows that very key. A stray write is reported with its value
 * (from the journal) and the cases that name it, those answered 2xx first.
 */
import { readFile } from "node:fs/promises";
import { reactionKey, replyKey } from "../../../sidecar/interactions/records.js";
import type { Built } from "./ap-content-parties.js";
import type { Writes } from "./journal.js";

/** Fedify's caches of fetched documents and its records of activities seen. */
const FEDIFY_RECORDS = /^fedify:\["_fedify","(publicKey|remoteDocument|activityIdempotence)",/;

/** A case as sent, with its answer's status. */
export interface Sent {
  built: Built;
  status?: number;
}

export function describeBuilt(b: Built): string {
  return `${JSON.stringify(b.labels)}\n    ${JSON.stringify(b.activity).slice(0, 700)}`;
}

/** Every string in a value: the ids a stray write may be traced back to. */
function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v && typeof v === "object") for (const x of Object.values(v)) stringsIn(x, out);
  return out;
}

/** The cases a write of "table key" may come from (those answered 2xx first). */
function culprits(tableKey: string, sent: Sent[], posts: readonly { uri: string }[]): string[] {
  const accepted = (c: Sent) => (c.status !== undefined && c.status < 300 ? 0 : 1);
  const names = (s: string) => [
    `inbox ${s}`,
    `kv ${replyKey(s)}`,
    ...posts.flatMap((p) => [
      `kv ${reactionKey("like", p.uri, s)}`,
      `kv ${reactionKey("boost", p.uri, s)}`,
    ]),
  ];
  return [...sent]
    .sort((a, b) => accepted(a) - accepted(b))
    .filter((c) =>
      [...stringsIn(c.built.activity), c.built.signer.id].some((s) => names(s).includes(tableKey)),
    )
    .slice(0, 2)
    .map((c) => describeBuilt(c.built));
}

/** The value the journal first recorded for "table key" after `mark`. */
async function writtenValue(dataFile: string, mark: number, tableKey: string): Promise<unknown> {
  const text = (await readFile(`${dataFile}.journal`)).subarray(mark).toString("utf8");
  for (const line of text.split("\n").slice(0, -1)) {
    for (const [table, key, value] of (JSON.parse(line) as { o: [string, string, unknown][] }).o) {
      if (`${table} ${key}` === tableKey) return value;
    }
  }
  return undefined;
}

/** What the batch wrote that none of its activities may; null when all is well. */
export async function strayWrites(
  w: Writes,
  batch: { dataFile: string; mark: number; sent: Sent[]; posts: readonly { uri: string }[] },
): Promise<string | null> {
  const allowed = new Set(batch.sent.flatMap((c) => c.built.allowed));
  const prefixes = [...allowed].filter((a) => a.endsWith("*")).map((a) => a.slice(0, -1));
  const stray: string[] = [];
  let notifications = 0;
  let records = 0;
  for (const [table, keys] of w.byTable) {
    for (const key of keys) {
      if (table === "kv" && FEDIFY_RECORDS.test(key)) {
        if (key.includes('"activityIdempotence"')) records++;
        continue;
      }
      if (table === "kv" && key.startsWith("notification:")) {
        notifications++;
        continue;
      }
      const k = `${table} ${key}`;
      if (!allowed.has(k) && !prefixes.some((p) => k.startsWith(p))) stray.push(k);
    }
  }
  const [first] = stray;
  if (first !== undefined) {
    const value = JSON.stringify(await writtenValue(batch.dataFile, batch.mark, first));
    const from = culprits(first, batch.sent, batch.posts);
    return `wrote what no activity of the batch may: ${stray.slice(0, 5).join(" ")}\n  first as ${value?.slice(0, 600)}\n  maybe from: ${from.join("\n  or: ") || "(no case names it)"}`;
  }
  const mayNotify = batch.sent.reduce((n, c) => n + c.built.notifies, 0);
  if (notifications > mayNotify) return `${notifications} notifications, at most ${mayNotify} due`;
  if (records > batch.sent.length) {
    return `${records} activity records for ${batch.sent.length} activities`;
  }
  return null;
}

/** The writes by kind (table, kv prefix, Fedify record), for the diagnostics. */
export function writeSummary(w: Writes): string {
  const kinds = new Map<string, number>();
  for (const [table, keys] of w.byTable) {
    for (const k of keys) {
      const kind =
        table !== "kv"
          ? table
          : (/^fedify:\["_fedify","([^"]+)"/.exec(k)?.[1] ?? k.split(":").slice(0, 2).join(":"));
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  }
  return [...kinds].map(([k, n]) => `${k}×${n}`).join(" ") || "nothing";
}
