import assert from "node:assert/strict";
import { test } from "node:test";
import type { Manifest } from "../../contract/manifest.js";
import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";
import { planSync } from "./plan.js";

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
