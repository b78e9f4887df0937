import assert from "node:assert/strict";
import { test } from "node:test";
import type { Manifest } from "../../contract/manifest.js";
import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";
import type { Transport } from "../delivery/transport.js";
import { PreparedEntries } from "../omb/transport/entry-params.js";
import { OmbTransport, type PushDeps } from "../omb/transport/push.js";
import type { PublishedPost, SyncState } from "../store/types.js";
import { noticeVersion, planSync as plan } from "./plan.js";

const omb = new OmbTransport({
  prepared: new PreparedEntries("https://site.example/"),
} as PushDeps);

/** The plan as the OMB wing alone sees it, its entries in the log's shape. */
function planSync(
  m: Manifest,
  state: SyncState,
  isPublished: (uri: string) => boolean,
  siteUrl?: string,
) {
  const published = new Map<string, PublishedPost>();
  for (const n of m.notices) if (isPublished(n.uri)) published.set(n.uri, { uri: n.uri, seq: 1 });
  const p = plan(m, state, published, [omb], siteUrl ? { siteUrl } : {});
  return { ...p, entries: p.entries.map((e) => e.entry) };
}

const SITE = "https://site.example/";
const profile = {
  uri: SITE,
  profile: SITE,
  nickname: "ann",
  fullname: "Ann",
  bio: "",
  location: "",
  homepage: "",
  avatar: "",
  license: DEFAULT_LICENSE,
};
const note = (i: number, minute = i) => ({
  uri: `${SITE}posts/${i}/`,
  url: `${SITE}posts/${i}/`,
  content: `Post ${i}`,
  published: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(),
  license: DEFAULT_LICENSE,
});
/** Newest first, as the plugin writes it. */
const manifest = (ids: number[], p = profile): Manifest => ({
  version: 1,
  profile: p,
  notices: ids.map((i) => note(i)).sort((a, b) => b.published.localeCompare(a.published)),
});

test("the first sync archives every notice and records the profile without sending anything", () => {
  const plan = planSync(manifest([1, 2, 3]), { initialized: false }, () => false);
  assert.equal(plan.firstSync, true);
  assert.deepEqual(plan.entries, []);
  assert.deepEqual(plan.archived.sort(), [note(1).uri, note(2).uri, note(3).uri].sort());
  assert.deepEqual(plan.profile, profile);
});

test("later syncs queue unpublished notices oldest first, each URI once", () => {
  const published = new Set([note(1).uri]);
  const m = manifest([1, 2, 3]);
  m.notices.push(note(2)); // a duplicate entry in the manifest
  const plan = planSync(m, { initialized: true, profile }, (u) => published.has(u));
  assert.deepEqual(
    plan.entries.map((e) => (e.kind === "notice" ? e.notice.uri : e.kind)),
    [note(2).uri, note(3).uri],
  );
  assert.deepEqual(plan.archived, []);
  assert.deepEqual(plan.profileChanged, []);
});

test("same published time: manifest order decides (newest first there, oldest first here)", () => {
  const m: Manifest = { version: 1, profile, notices: [note(5, 0), note(4, 0)] };
  const plan = planSync(m, { initialized: true, profile }, () => false);
  assert.deepEqual(
    plan.entries.map((e) => (e.kind === "notice" ? e.notice.uri : "")),
    [note(4).uri, note(5).uri],
  );
});

test("a profile change queues one updateProfile first; no change queues none", () => {
  const changed = { ...profile, bio: "Hello", avatar: "" };
  const plan = planSync(manifest([1], changed), { initialized: true, profile }, () => false);
  assert.deepEqual(plan.profileChanged, ["bio"]);
  assert.equal(plan.entries[0]?.kind, "profile");
  assert.equal(plan.entries[1]?.kind, "notice");
  assert.deepEqual(plan.profile, changed);
  const again = planSync(
    manifest([1], changed),
    { initialized: true, profile: changed },
    () => true,
  );
  assert.deepEqual(again.entries, []);
});

test("notices and profiles a receiver would refuse are held back and reported", () => {
  const long = { ...note(9), content: "x".repeat(141) };
  const m: Manifest = { version: 1, profile, notices: [long, note(8)] };
  const plan = planSync(m, { initialized: true, profile }, () => false);
  assert.deepEqual(
    plan.entries.map((e) => (e.kind === "notice" ? e.notice.uri : "")),
    [note(8).uri],
  );
  assert.equal(plan.rejected[0]?.uri, long.uri);
  assert.match(plan.rejected[0]?.reason ?? "", /omb_notice_content/);

  const bad = { ...profile, nickname: "Ann Smith" };
  const p = planSync(manifest([], bad), { initialized: true, profile }, () => false);
  assert.deepEqual(p.entries, []);
  assert.deepEqual(p.profile, profile, "the last good profile stays recorded");
  assert.match(p.profileError ?? "", /nickname/);
});

test("the profile is recorded under the site URL; a different manifest URI alone pushes nothing", () => {
  const m = manifest([1], { ...profile, uri: "https://site.example" });
  const plan = planSync(m, { initialized: true, profile }, () => true, SITE);
  assert.equal(plan.profile?.uri, SITE);
  assert.deepEqual(plan.entries, []);
});

/** A transport that sends every kind (as ActivityPub will). */
const everything: Pick<Transport, "verdict"> = { verdict: () => "send" };

const record = (m: Manifest, i: number): PublishedPost => {
  const n = m.notices.find((x) => x.uri === note(i).uri);
  assert.ok(n);
  return { uri: n.uri, seq: i, version: noticeVersion(m.version, n), url: n.url };
};

test("an edited post is an update for a protocol that carries edits, and adopted silently by OMB", () => {
  const before = manifest([1, 2]);
  const published = new Map([1, 2].map((i) => [note(i).uri, record(before, i)]));
  const after = manifest([1, 2]);
  after.notices = after.notices.map((n) =>
    n.uri === note(1).uri ? { ...n, content: "Post 1, corrected" } : n,
  );
  const state = { initialized: true, profile };
  const ap = plan(after, state, published, [everything]);
  assert.deepEqual(
    ap.entries.map((e) => [e.entry.kind, e.post?.uri]),
    [["update", note(1).uri]],
  );
  assert.notEqual(ap.entries[0]?.post?.version, published.get(note(1).uri)?.version);
  const ombOnly = plan(after, state, published, [omb]);
  assert.deepEqual(ombOnly.entries, [], "OMB has no edits");
  assert.deepEqual(
    ombOnly.posts.map((p) => p.uri),
    [note(1).uri],
    "the new version is recorded, so it is not seen as an edit again",
  );
});

test("a post gone from the manifest is a removal; most posts gone at once are held back", () => {
  const m = manifest([1, 2, 3, 4, 5, 6]);
  const published = new Map([1, 2, 3, 4, 5, 6].map((i) => [note(i).uri, record(m, i)]));
  const state = { initialized: true, profile };
  const one = plan(manifest([1, 2, 3, 4, 5]), state, published, [everything], {
    now: new Date(0),
  });
  assert.deepEqual(
    one.entries.map((e) => e.entry),
    [{ kind: "delete", uri: note(6).uri, url: note(6).url, deletedAt: new Date(0).toISOString() }],
  );
  assert.equal(one.entries[0]?.post?.removedAt, new Date(0).toISOString());
  const broken = plan(manifest([1]), state, published, [everything]);
  assert.deepEqual(broken.entries, []);
  assert.equal(broken.removalsHeld, 5);
  const confirmed = plan(manifest([1]), state, published, [everything], { confirmRemovals: true });
  assert.equal(confirmed.entries.length, 5);
  const ombOnly = plan(manifest([1, 2, 3, 4, 5]), state, published, [omb]);
  assert.deepEqual(ombOnly.entries, []);
  assert.ok(
    ombOnly.posts.some((p) => p.uri === note(6).uri && p.removedAt),
    "recorded as removed",
  );
});

test("records from before versions, or of another manifest version, are adopted, not edits", () => {
  const m = manifest([1]);
  const state = { initialized: true, profile };
  const legacy = new Map([[note(1).uri, { uri: note(1).uri, seq: 3 }]]);
  const p = plan(m, state, legacy, [everything]);
  assert.deepEqual(p.entries, []);
  assert.deepEqual(p.posts, [{ ...record(m, 1), seq: 3 }]);
  const v2 = { ...m, version: 2 as const };
  const fromV1 = new Map([[note(1).uri, record(m, 1)]]);
  assert.deepEqual(plan(v2, state, fromV1, [everything]).entries, [], "a new format is no edit");
  const removed = new Map([[note(1).uri, { ...record(m, 1), removedAt: "2024-01-01T00:00:00Z" }]]);
  assert.deepEqual(
    plan(m, state, removed, [everything]).entries,
    [],
    "a removed URI is not reused",
  );
});
