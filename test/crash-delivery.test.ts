import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { FileConfig } from "../sidecar/config.js";
import { openStore } from "../sidecar/store/open.js";
import { callDeployHook } from "./helpers/deploy-hook.js";
import { ombFollower, recordSync } from "./helpers/fixtures.js";
import { readStore } from "./helpers/read-store.js";
import { startReceiver, type TestReceiver, waitFor } from "./helpers/receiver.js";
import { testManifest, testNotice, writeManifest } from "./helpers/receiver-manifest.js";
import { type Served, serve } from "./helpers/serve-process.js";

/**
 * The crash-safety promise (docs/readme/delivery.md): the sidecar process is killed with
 * SIGKILL at many points of a fan-out (during the sync, at start-up, and after every few
 * dozen deliveries, in the middle of requests), restarted each time, and in the end every
 * receiver holds every notice, in order, and no destination got a notice twice beyond the
 * pushes in flight at each kill (≤ concurrency per kill, ≤ 1 per destination per kill).
 */

const SITE = "http://site.example/";
const SECRET = "crash-test-hook-secret";
const DESTINATIONS = 240;
const CONCURRENCY = 8;
const NEW_POSTS = [3, 4, 5];
const MIN_KILLS = 20;
const MAX_STARTS = 45;

const startSidecar = (configFile: string) =>
  serve(configFile, { env: { ...process.env, FEDERATION_HOOK_SECRET: SECRET } });

async function sendHook(url: string): Promise<void> {
  // the sidecar may be killed while answering
  await callDeployHook(url, SECRET, { source: "crash-test" }).catch(() => undefined);
}

test("SIGKILL at 20+ points of a fan-out: after restarts every notice reaches every destination", {
  timeout: 240_000,
}, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), "crash-delivery-"));
  const receivers: TestReceiver[] = [await startReceiver(), await startReceiver()];
  const at = (i: number) => receivers[i % receivers.length] as TestReceiver;
  let current: Served | null = null;
  try {
    const dataFile = path.join(dir, "store.json");
    const manifestFile = path.join(dir, "manifest.json");
    const configFile = path.join(dir, "config.json");
    const config: FileConfig = {
      siteUrl: SITE,
      publicUrl: SITE,
      port: 0,
      dataFile,
      manifest: manifestFile,
      allowPrivateNetworks: true,
      logLevel: "warn",
      fsync: true,
      delivery: { concurrency: CONCURRENCY, baseDelaySeconds: 0.05, maxDelaySeconds: 0.2 },
    };
    await writeFile(configFile, JSON.stringify(config));

    // Subscribers seeded in the sidecar's store; posts 1 and 2 were published before.
    const seed = await openStore(dataFile);
    for (let i = 0; i < DESTINATIONS; i++) {
      const r = at(i);
      const uri = `http://listener${i}.example/user/1`;
      r.secrets.set(`tok${i}`, `sec${i}`);
      await seed.saveFollower(
        ombFollower({
          uri,
          profile: { ...testManifest(SITE, []).profile, uri, nickname: `u${i}` },
          postNoticeUrl: r.postNoticeUrl(i),
          updateProfileUrl: r.updateProfileUrl(i),
          token: `tok${i}`,
          secret: `sec${i}`,
          subscribedAt: new Date().toISOString(),
        }),
      );
    }
    const before = testManifest(SITE, [1, 2]);
    await recordSync(
      seed,
      [],
      before.notices.map((n) => n.uri),
      { initialized: true, profile: { ...before.profile } },
    );
    await seed.close();
    await writeManifest(manifestFile, testManifest(SITE, [1, 2, ...NEW_POSTS]));

    // Kill after every `step` answered deliveries (in the middle of the answer: the sidecar
    // never reads it, so that push was in flight).
    const total = DESTINATIONS * NEW_POSTS.length;
    const step = Math.floor(total / (MIN_KILLS + 4));
    let answered = 0;
    let nextKill = step;
    let kills = 0;
    const kill = () => {
      if (current?.alive()) {
        void current.kill(); // the signal goes now; the exit is awaited where it matters
        kills++;
      }
    };
    for (const r of receivers) {
      r.onPush = (p) => {
        if (p.status !== 200) return;
        answered++;
        if (answered >= nextKill) {
          nextKill = answered + step;
          kill();
        }
      };
    }
    const want = new Set(NEW_POSTS.map((i) => testNotice(SITE, i).uri));
    const done = () =>
      Array.from({ length: DESTINATIONS }, (_, i) => i).every((i) => {
        const got = new Set(at(i).notices(i));
        return [...want].every((u) => got.has(u));
      });

    for (let start = 0; start < MAX_STARTS && !done(); start++) {
      current = await startSidecar(configFile);
      if (start === 1)
        kill(); // during start-up: the worker's first scan
      else {
        const hooked = sendHook(current.url);
        if (start === 0) setTimeout(kill, 15); // during the sync itself
        await hooked;
      }
      await Promise.race([
        current.exited,
        waitFor(done, "every notice delivered", 60_000).catch(() => undefined),
      ]);
    }
    assert.ok(done(), `not everything delivered after ${MAX_STARTS} starts (${kills} kills)`);
    assert.ok(kills >= MIN_KILLS, `only ${kills} kills`);
    // Kill the last one too (nothing may depend on a clean shutdown), then one more start
    // must bring every cursor to the head, resending only what was in flight.
    kill();
    await current?.exited;
    const caughtUp = () =>
      readStore(dataFile, async (s) => {
        const head = await s.headSeq();
        return (await s.destinations()).every((d) => d.cursor === head);
      });
    current = await startSidecar(configFile);
    await waitFor(caughtUp, "every cursor at the head after the last restart", 60_000);
    await current.stop();

    let duplicates = 0;
    for (let i = 0; i < DESTINATIONS; i++) {
      const got = at(i).notices(i);
      const firsts = [...new Set(got)];
      assert.deepEqual(firsts, [...want], `destination ${i}: each notice, in order`);
      const dup = got.length - want.size;
      assert.ok(dup <= kills, `destination ${i} got ${dup} duplicates over ${kills} kills`);
      duplicates += dup;
    }
    assert.ok(
      duplicates <= kills * CONCURRENCY,
      `${duplicates} duplicates > ${kills} kills × concurrency ${CONCURRENCY}`,
    );
    for (const r of receivers) {
      assert.ok(
        r.pushes.every((p) => p.signatureValid === true),
        "every push validly signed",
      );
    }
    const store = await openStore(dataFile, { readOnly: true });
    try {
      const head = await store.headSeq();
      assert.equal(head, NEW_POSTS.length, "each new post appended once, despite the resyncs");
      assert.ok(
        (await store.destinations()).every((d) => d.cursor === head),
        "every cursor at the head",
      );
      assert.deepEqual(await store.failures(), []);
    } finally {
      await store.close();
    }
    t.diagnostic(
      `${kills} SIGKILLs during ${total} deliveries; ${duplicates} resent (in flight at a kill, bound ${kills * CONCURRENCY})`,
    );
  } finally {
    await current?.kill();
    for (const r of receivers) await r.close();
    await rm(dir, { recursive: true, force: true });
  }
});
