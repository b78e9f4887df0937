// SIGKILL of a sidecar process during deploy hooks: each deploy publishes 300 new notices
// and the process is killed either a random 0–150 ms after the hook was sent or 0–3 ms
// after the sync's journal line appeared: before, during or after the sync's one store
// step (fdatasync, answer), or in the deliveries that follow. After each kill the store as left holds the sync
// entirely or not at all; after the restart the same hook completes it, each notice logged
// once. In the end both destinations hold every notice (resends bounded by the kills).
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { test } from "node:test";
import { openStore } from "../sidecar/store/open.js";
import type { Store } from "../sidecar/store/store.js";
import { ombFollower } from "./helpers/fixtures.js";
import { readStore } from "./helpers/read-store.js";
import { startReceiver, type TestReceiver } from "./helpers/receiver.js";
import { testManifest } from "./helpers/receiver-manifest.js";
import { between, crashSeed, seededRandom, sleep } from "./load/crash.js";
import { callHook, createSite, deploy, siteNotices, until } from "./load/site.js";

const KILLS = 8;
const BATCH = 300;
const DESTINATIONS = 2;

/** The sync's store step is one journal line of this size at least (300 notices). */
const SYNC_LINE_BYTES = 50_000;

/** Resolves once `file` is larger than `size` (or after `ms`), checking every millisecond. */
async function grows(file: string, size: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const now = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (now > size) return;
    await sleep(1);
  }
}

test(`SIGKILL ${KILLS} times during deploy syncs: all or nothing, a re-sync completes it once`, {
  timeout: 240_000,
}, async (t) => {
  const seed = crashSeed();
  const random = seededRandom(seed);
  const site = await createSite(
    { fsync: true, delivery: { concurrency: 4, baseDelaySeconds: 0.05, maxDelaySeconds: 0.2 } },
    { start: false },
  );
  const receiver: TestReceiver = await startReceiver();
  try {
    // Two subscribers at two destinations, written before the sidecar starts.
    const seedStore = await openStore(site.dataFile);
    for (let i = 0; i < DESTINATIONS; i++) {
      const uri = `http://listener${i}.example/user/1`;
      receiver.secrets.set(`tok${i}`, `sec${i}`);
      await seedStore.saveFollower(
        ombFollower({
          uri,
          profile: { ...testManifest(site.url, []).profile, uri, nickname: `l${i}` },
          postNoticeUrl: receiver.postNoticeUrl(i),
          updateProfileUrl: receiver.updateProfileUrl(i),
          token: `tok${i}`,
          secret: `sec${i}`,
          subscribedAt: new Date().toISOString(),
        }),
      );
    }
    await seedStore.close();
    await site.start();
    assert.equal(await deploy(site, []), 200, "first sync");

    const journal = `${site.dataFile}.journal`;
    const published: number[] = [];
    let head = 0;
    const landed = { before: 0, after: 0 };
    for (let k = 0; k < KILLS; k++) {
      const proc = site.proc?.alive() ? site.proc : await site.start();
      const batch = Array.from({ length: BATCH }, (_, i) => k * BATCH + i + 1);
      published.push(...batch);
      const size = await stat(journal).then(
        (s) => s.size,
        () => 0,
      );
      const hook = deploy(site, [...published]);
      const sent = Date.now();
      if (k % 2 === 0) await sleep(between(random, 0, 150));
      else {
        // The moment the sync's line lands (deliveries write only small ones), give or take.
        await grows(journal, size + SYNC_LINE_BYTES, 5_000);
        await sleep(between(random, 0, 3));
      }
      const waited = Date.now() - sent;
      await proc.kill();
      const answered = (await hook) === 200;

      // As the dead process left it: the whole batch or none of it.
      const uris = siteNotices(site, batch).map((n) => n.uri);
      const after = await readStore(site.dataFile, publishedOf(uris));
      assert.ok(
        (after.head === head && after.published === 0) ||
          (after.head === head + BATCH && after.published === BATCH),
        `after kill ${k + 1}: head ${head} → ${after.head}, ${after.published} of ${BATCH} published`,
      );
      if (after.published === 0) landed.before++;
      else landed.after++;
      t.diagnostic(
        `kill ${k + 1}: ${waited} ms after the hook (${k % 2 === 0 ? "random" : "sync line seen"}): sync ${after.published ? "applied" : "not applied"}, hook ${answered ? "answered" : "unanswered"}`,
      );

      // The restart and the same hook again: the batch is logged exactly once.
      await site.start();
      assert.equal(await callHook(site), 200, "re-sync after the restart");
      const synced = await readStore(site.dataFile, publishedOf(uris));
      assert.deepEqual(synced, { head: head + BATCH, published: BATCH }, `re-sync ${k + 1}`);
      head = synced.head;
    }

    // Deliveries resume after every restart: every notice reaches both destinations.
    const want = siteNotices(site, published).map((n) => n.uri);
    const done = () =>
      Array.from({ length: DESTINATIONS }, (_, i) => new Set(receiver.notices(i))).every((got) =>
        want.every((u) => got.has(u)),
      );
    await until("every notice at every destination", async () => done(), 90_000);
    await site.proc?.stop();
    let resent = 0;
    for (let i = 0; i < DESTINATIONS; i++) {
      const got = receiver.notices(i);
      assert.deepEqual([...new Set(got)].sort(), [...want].sort(), `destination ${i}`);
      const dup = got.length - want.length;
      assert.ok(dup <= KILLS, `destination ${i}: ${dup} resent over ${KILLS} kills`);
      resent += dup;
    }
    assert.ok(
      receiver.pushes.every((p) => p.signatureValid === true),
      "every push signed",
    );
    const final = await readStore(site.dataFile, async (s) => ({
      head: await s.headSeq(),
      cursors: (await s.destinations()).map((d) => d.cursor),
    }));
    assert.equal(final.head, KILLS * BATCH, "each notice logged once");
    assert.deepEqual(final.cursors, Array(DESTINATIONS).fill(final.head), "cursors at the head");
    t.diagnostic(
      `seed ${seed}: ${KILLS} SIGKILLs around syncs of ${BATCH} notices (${landed.before} before the sync's store step, ${landed.after} after it); every re-sync logged each notice once; ${want.length} notices × ${DESTINATIONS} destinations delivered, ${resent} resent`,
    );
  } finally {
    await site.dispose();
    await receiver.close();
  }
});

/** The log's head and how many of `uris` are published, read from a store. */
function publishedOf(uris: string[]) {
  return async (s: Store) => {
    const published = await s.publishedPosts();
    return { head: await s.headSeq(), published: uris.filter((u) => published.has(u)).length };
  };
}
