/**
 * The OMB fan-out crash scenario (docs/readme/delivery.md's promise), for one sidecar on a
 * JSON store or several sharing PostgreSQL: 240 subscribers at two receivers, three new
 * posts, sidecars SIGKILLed at 20+ points (during the sync, at start-up, and after every few
 * dozen deliveries, in the middle of requests) and restarted each time. In the end every
 * receiver holds every notice, in order, and no destination got a notice twice beyond the
 * pushes in flight at each kill (≤ concurrency per kill, ≤ 1 per destination per kill).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import { CrashLoop, type CrashLoopOptions, SITE } from "./crash-loop.js";
import { ombFollower } from "./fixtures.js";
import { startReceiver, type TestReceiver } from "./receiver.js";
import { testManifest, testNotice } from "./receiver-manifest.js";

const DESTINATIONS = 240;
const CONCURRENCY = 8;
const NEW_POSTS = [3, 4, 5];
export const MIN_KILLS = 20;
const MAX_STARTS = 45;

/** Runs the scenario; `shared` names the processes and their database (default: one, JSON). */
export async function ombFanoutCrash(
  t: TestContext,
  shared: Pick<CrashLoopOptions, "processes" | "databaseUrl"> = {},
): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "crash-delivery-"));
  const receivers: TestReceiver[] = [await startReceiver(), await startReceiver()];
  const at = (i: number) => receivers[i % receivers.length] as TestReceiver;
  const total = DESTINATIONS * NEW_POSTS.length;
  const crash = new CrashLoop(dir, {
    step: Math.floor(total / (MIN_KILLS + 4)),
    minKills: MIN_KILLS,
    maxStarts: MAX_STARTS,
    // several processes: each start costs seconds (the imports), so enough kills and no more
    ...((shared.processes ?? 1) > 1 ? { maxKills: MIN_KILLS + 4 } : {}),
    ...shared,
  });
  try {
    // A killed process's destinations are taken over by the others once its claim lapses.
    await crash.writeConfig({ delivery: { concurrency: CONCURRENCY, claimSeconds: 1 } });

    // Subscribers seeded in the sidecar's store; posts 1 and 2 were published before.
    const seed = await crash.openStore();
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
    const processes = shared.processes ?? 1;
    t.diagnostic(
      `${processes} process${processes > 1 ? "es" : ""}: ${kills} SIGKILLs during ${total} deliveries; ${duplicates} resent (in flight at a kill, bound ${kills * CONCURRENCY})`,
    );
  } finally {
    await crash.close();
    for (const r of receivers) await r.close();
    await rm(dir, { recursive: true, force: true });
  }
}
