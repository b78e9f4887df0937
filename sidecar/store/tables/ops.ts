/** The operations of the Store's larger atomic methods, decided on the tables as they are now. */
import {
  credentialOf,
  destinationOf,
  type NewFailure,
  originOf,
  type SaveFollowerResult,
  SyncConflictError,
  type SyncRecord,
} from "../store.js";
import type {
  AccessToken,
  DeliveryFailure,
  Destination,
  Followed,
  Follower,
  OmbFollowed,
  OutboundEntry,
  RequestToken,
} from "../types.js";
import type { TableIndexes } from "./indexes.js";
import type { Op, Tables } from "./tables.js";

/** See `Store.saveFollower`; `ops` is empty when the answer is "taken". */
export function saveFollowerOps(
  t: Tables,
  ix: TableIndexes,
  f: Follower,
  opts: { pending?: string; sameOriginOnly?: boolean },
): { ops: Op[]; result: SaveFollowerResult } {
  const old = t.get<Follower>("followers", f.id);
  const dest = destinationOf(f);
  if (old && opts.sameOriginOnly && originOf(destinationOf(old).url) !== originOf(dest.url))
    return { ops: [], result: "taken" };
  const ops: Op[] = [["followers", f.id, f]];
  if (opts.pending) ops.push(["pending", opts.pending, null]);
  const current = t.get<Destination>("destinations", dest.key);
  if (!current || current.gaveUpAt) {
    const head = t.get<number>("meta", "outboundHead") ?? 0;
    const d: Destination = { ...dest, cursor: head, attempts: 0 };
    ops.push(["destinations", d.key, d]);
  }
  if (old && destinationOf(old).key !== dest.key) ops.push(...dropDestinationOps(ix, old));
  return { ops, result: old ? "replaced" : "added" };
}

/** See `Store.removeFollower`; null when there is nothing to remove. */
export function removeFollowerOps(
  t: Tables,
  ix: TableIndexes,
  id: string,
  opts: { failure?: NewFailure; ifCredential?: string },
): Op[] | null {
  const f = t.get<Follower>("followers", id);
  if (!f || (opts.ifCredential !== undefined && credentialOf(f) !== opts.ifCredential)) return null;
  const ops: Op[] = [["followers", id, null], ...dropDestinationOps(ix, f)];
  if (opts.failure) ops.push(failureOp(opts.failure));
  return ops;
}

/** The follower's destination goes with it when nobody else receives there. */
function dropDestinationOps(ix: TableIndexes, f: Follower): Op[] {
  const key = destinationOf(f).key;
  return ix.othersAt(key, f.id).length === 0 ? [["destinations", key, null]] : [];
}

/** See `Store.exchangeRequestToken`; null when the token is not "authorized". */
export function exchangeOps(
  t: Tables,
  token: string,
  access: AccessToken,
  followed: OmbFollowed,
): Op[] | null {
  const request = t.get<RequestToken>("requestTokens", token);
  if (request?.state !== "authorized") return null;
  const ops: Op[] = [
    ["requestTokens", token, { ...request, state: "used" }],
    ["followed", followed.id, followed],
  ];
  const previous = t.get<Followed>("followed", followed.id);
  if (previous?.protocol === "omb" && previous.credentials.token !== access.token)
    ops.push(["accessTokens", previous.credentials.token, null]);
  ops.push(["accessTokens", access.token, access]);
  return ops;
}

export function failureOp(failure: NewFailure): Op {
  const f: DeliveryFailure = {
    ...failure,
    id: crypto.randomUUID(),
    at: new Date().toISOString(),
  };
  return ["failures", f.id, f];
}

/** See `Store.applySync`: entries numbered from `head + 1`, their post records, the state. */
export function syncOps(head: number, record: SyncRecord): { ops: Op[]; seqs: number[] } {
  if (record.expectHead !== undefined && record.expectHead !== head)
    throw new SyncConflictError(head, record.expectHead);
  const addedAt = new Date().toISOString();
  let seq = head;
  const ops: Op[] = [];
  const seqs: number[] = [];
  for (const { entry, post } of record.entries) {
    seq++;
    seqs.push(seq);
    ops.push(["outbound", String(seq), { ...entry, seq, addedAt } as OutboundEntry]);
    if (post) ops.push(["published", post.uri, { ...post, seq }]);
  }
  for (const p of record.posts) ops.push(["published", p.uri, p]);
  ops.push(["meta", "outboundHead", seq], ["meta", "sync", record.state]);
  return { ops, seqs };
}
