/** The diff between a published manifest and the posts the log has seen: what a sync appends. */
import { createHash } from "node:crypto";
import type { Manifest, ManifestNotice } from "../../contract/manifest.js";
import { changedProfileFields } from "../../protocol/omb/profile.js";
import type { Transport, Verdict } from "../delivery/transport.js";
import type { SyncEntry } from "../store/store.js";
import type { NewOutboundEntry, PublishedPost, SiteProfile, SyncState } from "../store/types.js";

export interface SyncPlan {
  /** What to append, oldest first: a profile change, new posts, edits, removals. */
  entries: SyncEntry[];
  /** Post records written without an entry: the baseline, adopted versions, skipped kinds. */
  posts: PublishedPost[];
  /** Notice URIs recorded as already published without being sent (the first sync). */
  archived: string[];
  /** The profile to remember as the last one pushed (or recorded, on the first sync). */
  profile: SiteProfile | undefined;
  /** Fields that changed since the last push (empty: no profile entry). */
  profileChanged: string[];
  /** New posts every transport refused; tried again at the next sync. */
  rejected: { uri: string; reason: string }[];
  /** The profile breaks every protocol's rules: not pushed (and not remembered) until fixed. */
  profileError?: string;
  /** Removals held back: more than half the posts vanished at once (a broken build?). */
  removalsHeld?: number;
  firstSync: boolean;
}

export interface PlanOptions {
  /** The site URL the profile goes out as (the identity followers know). */
  siteUrl?: string;
  /** Apply removals even when most posts vanished at once (`sync --confirm-removals`). */
  confirmRemovals?: boolean;
  now?: Date;
}

/** Fewer removals than this are never held back, whatever share of the posts they are. */
const MASS_REMOVAL_MIN = 4;

/**
 * The first time a site is seen its posts are recorded as already published and its
 * profile as already pushed: followers are never flooded with the archive. After that, each
 * candidate entry is offered to every transport: appended when one of them sends it,
 * recorded without an entry when all of them skip it, left for the next sync when refused.
 */
export function planSync(
  manifest: Manifest,
  state: SyncState,
  published: ReadonlyMap<string, PublishedPost>,
  transports: readonly Pick<Transport, "verdict">[],
  opts: PlanOptions = {},
): SyncPlan {
  const profile: SiteProfile = { ...manifest.profile, uri: opts.siteUrl ?? manifest.profile.uri };
  const live = uniqueOldestFirst(manifest);
  const version = (n: ManifestNotice) => noticeVersion(manifest.version, n);
  const plan: SyncPlan = {
    entries: [],
    posts: [],
    archived: [],
    profile: state.profile,
    profileChanged: [],
    rejected: [],
    firstSync: !state.initialized,
  };
  if (!state.initialized) {
    for (const n of live) {
      if (published.has(n.uri)) continue;
      plan.archived.push(n.uri);
      plan.posts.push({ uri: n.uri, seq: 0, version: version(n), url: n.url });
    }
    plan.profile = profile;
    return plan;
  }
  const offer = (entry: NewOutboundEntry): Verdict => combined(transports, entry);
  const changed = state.profile ? changedProfileFields(state.profile, profile) : [];
  if (changed.length > 0 || !state.profile) {
    const v = offer({ kind: "profile", profile });
    if (typeof v === "object") plan.profileError = v.refused;
    else {
      plan.profile = profile;
      if (v === "send" && changed.length > 0) {
        plan.profileChanged = changed;
        plan.entries.push({ entry: { kind: "profile", profile } });
      }
    }
  }
  const edits: SyncEntry[] = [];
  for (const n of live) {
    const p = published.get(n.uri);
    const record = { uri: n.uri, version: version(n), url: n.url };
    if (p?.removedAt) continue; // a removed post's URI is never used again
    if (p && p.version !== undefined && sameFormat(p.version, record.version)) {
      if (p.version === record.version) continue;
      const v = offer({ kind: "update", notice: n });
      if (v === "send") edits.push({ entry: { kind: "update", notice: n }, post: record });
      else if (v === "skip") plan.posts.push({ ...p, ...record });
      continue;
    }
    if (p) {
      // Recorded before versions (schema 1) or by another manifest version: adopt it as is.
      plan.posts.push({ ...p, ...record });
      continue;
    }
    const v = offer({ kind: "notice", notice: n });
    if (v === "send") plan.entries.push({ entry: { kind: "notice", notice: n }, post: record });
    else if (v === "skip") plan.posts.push({ ...record, seq: 0 });
    else plan.rejected.push({ uri: n.uri, reason: v.refused });
  }
  plan.entries.push(...edits);
  plan.entries.push(...removals(plan, live, published, transports, opts));
  return plan;
}

/** Entries for posts that were published and are no longer in the manifest. */
function removals(
  plan: SyncPlan,
  live: ManifestNotice[],
  published: ReadonlyMap<string, PublishedPost>,
  transports: readonly Pick<Transport, "verdict">[],
  opts: PlanOptions,
): SyncEntry[] {
  const liveUris = new Set(live.map((n) => n.uri));
  const standing = [...published.values()].filter((p) => !p.removedAt);
  const gone = standing.filter((p) => !liveUris.has(p.uri));
  const kept = standing.length - gone.length;
  if (gone.length >= MASS_REMOVAL_MIN && gone.length > kept && !opts.confirmRemovals) {
    plan.removalsHeld = gone.length;
    return [];
  }
  const deletedAt = (opts.now ?? new Date()).toISOString();
  const entries: SyncEntry[] = [];
  for (const p of gone) {
    const entry: NewOutboundEntry = { kind: "delete", uri: p.uri, url: p.url ?? p.uri, deletedAt };
    const post = { ...p, removedAt: deletedAt };
    if (combined(transports, entry) === "send") entries.push({ entry, post });
    else plan.posts.push(post);
  }
  return entries;
}

/** One transport that sends it is enough; else a refusal wins over a skip. */
function combined(transports: readonly Pick<Transport, "verdict">[], e: NewOutboundEntry): Verdict {
  let refused: Verdict | undefined;
  for (const t of transports) {
    const v = t.verdict(e);
    if (v === "send") return v;
    if (typeof v === "object") refused ??= v;
  }
  return refused ?? "skip";
}

/**
 * A post's version: a hash of every field a follower sees, prefixed with the manifest
 * version, so a new manifest format (more fields) is adopted instead of read as an edit.
 */
export function noticeVersion(manifestVersion: number, n: ManifestNotice): string {
  const seen = [n.content, n.url, n.license, n.title, n.html, n.summary, n.tags, n.language];
  const hash = createHash("sha256")
    // inReplyTo only when set: the versions of posts without one stay what they were.
    .update(JSON.stringify([...seen, n.updated, ...(n.inReplyTo ? [n.inReplyTo] : [])]))
    .digest("base64url");
  return `m${manifestVersion}:${hash.slice(0, 22)}`;
}

function sameFormat(a: string, b: string): boolean {
  return a.slice(0, a.indexOf(":")) === b.slice(0, b.indexOf(":"));
}

/** Each URI once (its first listing), oldest first (the manifest lists newest first). */
function uniqueOldestFirst(manifest: Manifest): ManifestNotice[] {
  const seen = new Set<string>();
  const fresh: { n: ManifestNotice; order: number }[] = [];
  manifest.notices.forEach((n, i) => {
    if (seen.has(n.uri)) return;
    seen.add(n.uri);
    fresh.push({ n, order: -i });
  });
  fresh.sort((a, b) => Date.parse(a.n.published) - Date.parse(b.n.published) || a.order - b.order);
  return fresh.map((f) => f.n);
}
