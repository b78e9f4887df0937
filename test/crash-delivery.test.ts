import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { openStore } from "../sidecar/store/open.js";
import { CrashLoop, SITE } from "./helpers/crash-loop.js";
import { ombFollower } from "./helpers/fixtures.js";
import { startReceiver, type TestReceiver } from "./helpers/receiver.js";
import { testManifest, testNotice } from "./helpers/receiver-manifest.js";

/**
 * The crash-safety promise (docs/readme/delivery.md): the sidecar process is killed with
 * SIGKILL at many points of a fan-out (during the sync, at start-up, and after every few
 * dozen deliveries, in the middle of requests), restarted each time, and in the end every
 * receiver holds every notice, in order, and no destination got a notice twice beyond the
 * pushes in flight at each kill (≤ concurrency per kill, ≤ 1 per destination per kill).
 */

const DESTINATIONS = 240;
const CONCURRENCY = 8;
const NEW_POSTS = [3, 4, 5];
const MIN_KILLS = 20;
const MAX_STARTS = 45;

test("SIGKILL at 20+ points of a fan-out: after restarts every notice reaches every destination", {
  timeout: 240_000,
}, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), "crash-delivery-"));
  const receivers: TestReceiver[] = [await startReceiver(), await startReceiver()];
  const at = (i: number) => receivers[i % receivers.length] as TestReceiver;
  const total = DESTINATIONS * NEW_POSTS.length;
  const crash = new CrashLoop(dir, {
    step: Math.floor(total / (MIN_KILLS + 4)),
    minKills: MIN_KILLS,
    maxStarts: MAX_STARTS,
  });
  const { dataFile } = crash;
  try {
    await crash.writeConfig({ delivery: { concurrency: CONCURRENCY } });

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
    await crash.seedFirstSync(seed, NEW_POSTS);

    // Kill after every `step` answered deliveries (in the middle of the answer: the sidecar
    // never reads it, so that push was in flight).
    for (const r of receivers) {
      r.onPush = (p) => {
        if (p.status === 200) crash.delivered();
      };
    }
    const want = new Set(NEW_POSTS.map((i) => testNotice(SITE, i).uri));
    const done = () =>
      Array.from({ length: DESTINATIONS }, (_, i) => i).every((i) => {
        const got = new Set(at(i).notices(i));
        return [...want].every((u) => got.has(u));
      });

    await crash.run(done);
    await crash.catchUp();
    const { kills } = crash;

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
    await crash.assertStoreDone(NEW_POSTS.length);
    t.diagnostic(
      `${kills} SIGKILLs during ${total} deliveries; ${duplicates} resent (in flight at a kill, bound ${kills * CONCURRENCY})`,
    );
  } finally {
    await crash.close();
    for (const r of receivers) await r.close();
    await rm(dir, { recursive: true, force: true });
  }
});
