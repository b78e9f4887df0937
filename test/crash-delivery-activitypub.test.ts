/**
 * The crash-safety promise for ActivityPub (docs/delivery.md): a real sidecar fanning new
 * posts out to 200 shared inboxes is killed with SIGKILL at 20+ points (during the sync, at
 * start-up, and after every few dozen deliveries, while an inbox is still answering) and
 * restarted each time. In the end every inbox verified and got the Create of every post, a
 * duplicate only ever repeats the same activity id, and only as often as kills hit it in
 * flight (≤ 1 per inbox per kill).
 */
import assert from "node:assert/strict";
import type { webcrypto } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { activityId } from "../protocol/activitypub/activities.js";
import { actorId, postObjectId } from "../protocol/activitypub/post-object.js";
import { actorKeyPair } from "../sidecar/activitypub/actor-key.js";
import { mainKeyId } from "../sidecar/activitypub/person.js";
import { openStore } from "../sidecar/store/open.js";
import type { ApFollower } from "../sidecar/store/types.js";
import { type ApInboxes, type Received, startApInboxes } from "./helpers/ap-inbox.js";
import { CrashLoop, SITE } from "./helpers/crash-loop.js";
import { readStore } from "./helpers/read-store.js";
import { testManifest, testNotice } from "./helpers/receiver-manifest.js";

const INBOXES = 200;
/** Personal inboxes are numbered from here: with a shared inbox known, none gets a POST. */
const PERSONAL = 10_000;
const CONCURRENCY = 8;
const NEW_POSTS = [3, 4, 5];
const MIN_KILLS = 20;
const MAX_STARTS = 45;
/** A POST the inbox got just before a kill is recorded within this (it only checks a signature). */
const IN_FLIGHT_MS = 2000;

/** Two accounts of instance `i` share its inbox. */
function followers(ib: ApInboxes, i: number): ApFollower[] {
  return ["a", "b"].map((name, k) => ({
    protocol: "activitypub",
    id: `http://peer${i}.example/users/${name}`,
    profile: {
      id: `http://peer${i}.example/users/${name}`,
      name,
      url: `http://peer${i}.example/@${name}`,
    },
    credentials: {
      inbox: ib.url(PERSONAL + 2 * i + k),
      sharedInbox: ib.url(i),
      followId: `http://peer${i}.example/follows/${name}`,
    },
    since: new Date(0).toISOString(),
  }));
}

/**
 * Whether every resend at one inbox can be blamed on a kill of its own. The kill behind the
 * POST at `at[n + 1]` hit attempt n in flight, so it lies in [at[n] − IN_FLIGHT_MS, at[n + 1]).
 * Greedy by interval end, each taking the earliest free kill: exact for points and intervals.
 */
function blame(receipts: number[][], killedAt: number[]): boolean {
  const intervals = receipts
    .flatMap((at) => at.slice(1).map((to, n) => [(at[n] as number) - IN_FLIGHT_MS, to] as const))
    .sort((a, b) => a[1] - b[1]);
  const used = new Set<number>();
  return intervals.every(([from, to]) => {
    const k = killedAt.findIndex((t, i) => !used.has(i) && t >= from && t < to);
    used.add(k);
    return k >= 0;
  });
}

const objectOf = (r: Received) => (r.activity.object as { id?: string } | undefined)?.id ?? "";

test("SIGKILL at 20+ points of an ActivityPub fan-out: every Create reaches every shared inbox", {
  timeout: 240_000,
}, async (t) => {
  const started = Date.now();
  const dir = await mkdtemp(path.join(tmpdir(), "crash-delivery-ap-"));
  const total = INBOXES * NEW_POSTS.length;
  const crash = new CrashLoop(dir, {
    step: Math.floor(total / (MIN_KILLS + 4)),
    minKills: MIN_KILLS,
    // each start costs seconds (the imports): enough kills, and no more
    maxKills: MIN_KILLS + 2,
    maxStarts: MAX_STARTS,
  });
  const { dataFile } = crash;
  let publicKey: webcrypto.CryptoKey | undefined;
  // Asked for on every POST, before the inbox verifies, records and answers it: a kill here
  // lands in the middle of a delivery, which the sidecar never sees answered.
  const inboxes = await startApInboxes(async () => {
    crash.delivered();
    if (!publicKey) throw new Error("no actor key yet");
    return publicKey;
  });
  try {
    await crash.writeConfig({
      delivery: { concurrency: CONCURRENCY },
      activitypub: { firstRetrySeconds: 0.05 },
    });
    // The actor's key made before the first start; followers seeded; posts 1 and 2 were
    // published before (the profile is known from that first sync).
    const seed = await openStore(dataFile);
    publicKey = (await actorKeyPair(seed)).publicKey;
    for (let i = 0; i < INBOXES; i++) {
      for (const f of followers(inboxes, i)) await seed.saveFollower(f);
    }
    await crash.seedFirstSync(seed, NEW_POSTS);

    const posts = NEW_POSTS.map((i) => postObjectId(SITE, testNotice(SITE, i).uri).href);
    const done = () => {
      const got = new Set(inboxes.received.map((r) => `${r.inbox} ${objectOf(r)}`));
      for (let i = 0; i < INBOXES; i++) {
        if (!posts.every((p) => got.has(`${i} ${p}`))) return false;
      }
      return true;
    };
    await crash.run(done);
    await crash.catchUp();
    const { kills, killedAt } = crash;

    assert.deepEqual(inboxes.unverified, [], "every POST verified against the actor's key");
    const actor = actorId({
      sidecarUrl: SITE,
      nickname: testManifest(SITE, []).profile.nickname,
    }).href;
    const keyId = mainKeyId(new URL(actor)).href;
    // Each post's Create has the id of its log entry, the same in every POST of it.
    const entries = await readStore(dataFile, (s) => s.outboundAfter(0, 10));
    const createOf = new Map(
      entries.map((e) => [
        e.kind === "notice" ? postObjectId(SITE, e.notice.uri).href : `entry ${e.seq}`,
        { id: activityId(SITE, "create", e.seq).href, seq: e.seq },
      ]),
    );
    // inbox → activity id → when each POST of it arrived; and the last entry an inbox got
    const byInbox = new Map<number, Map<string, number[]>>();
    const lastSeq = new Map<number, number>();
    for (const r of inboxes.received) {
      assert.ok(r.inbox < INBOXES, `inbox ${r.inbox}: a personal inbox behind a shared one`);
      assert.equal(r.activity.type, "Create");
      assert.equal(r.activity.actor, actor);
      assert.equal(r.signature.keyId, keyId);
      const id = String(r.activity.id);
      const entry = createOf.get(objectOf(r));
      assert.ok(entry, `${objectOf(r)}: not a new post`);
      assert.equal(id, entry.id, `the id of ${objectOf(r)}'s Create`);
      // in log order: a resend repeats the entry in flight, never one before it
      assert.ok(entry.seq >= (lastSeq.get(r.inbox) ?? 0), `inbox ${r.inbox}: ${id} came late`);
      lastSeq.set(r.inbox, entry.seq);
      const got = byInbox.get(r.inbox) ?? new Map<string, number[]>();
      got.set(id, [...(got.get(id) ?? []), r.at]);
      byInbox.set(r.inbox, got);
    }
    assert.equal(byInbox.size, INBOXES);
    for (const got of byInbox.values()) assert.equal(got.size, posts.length, "one id per post");

    // A duplicate is a POST that was in flight at a kill, and a kill finds at most one POST in
    // flight per inbox (the worker sends one entry at a time there).
    let duplicates = 0;
    for (const [inbox, got] of byInbox) {
      const times = [...got.values()];
      const dup = times.reduce((n, at) => n + at.length - 1, 0);
      assert.ok(blame(times, killedAt), `inbox ${inbox}: ${dup} duplicates, not one per kill`);
      duplicates += dup;
    }
    assert.ok(
      duplicates <= kills * CONCURRENCY,
      `${duplicates} duplicates > ${kills} kills × concurrency ${CONCURRENCY}`,
    );
    await crash.assertStoreDone(NEW_POSTS.length);
    t.diagnostic(
      `${kills} SIGKILLs during ${total} deliveries to ${INBOXES} shared inboxes; ${duplicates} resent (bound ${kills * CONCURRENCY}); ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await crash.close();
    await inboxes.close();
    await rm(dir, { recursive: true, force: true });
  }
});
