// SIGKILL of a sidecar process while visitors' subscribe flows come back to its callback:
// parallel flows from two reference listener processes; when a randomly chosen flow of the
// round reaches the callback (finishSubscribe: access-token exchange, then the store
// write), the sidecar is killed after a random 0–30 ms. Every flow that got its success
// page must be a subscriber in the store as the dead process left it; after the restart a
// flow that was cut off succeeds when the visitor tries again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readStore } from "./helpers/read-store.js";
import { between, crashSeed, seededRandom, sleep } from "./load/crash.js";
import { createSite, subscribeFlow } from "./load/site.js";
import { type ReferenceListener, startReferenceListener } from "./reference-listener/spawn.js";

const KILLS = 8;
const FLOWS_PER_ROUND = 6;
const USERS = Array.from({ length: KILLS * FLOWS_PER_ROUND }, (_, i) => `v${i}`);

test(`SIGKILL ${KILLS} times during subscribe callbacks: every flow that showed success is stored`, {
  timeout: 240_000,
}, async (t) => {
  const seed = crashSeed();
  const random = seededRandom(seed);
  const site = await createSite({ fsync: true });
  const listeners = await Promise.all([
    startReferenceListener({ users: USERS }),
    startReferenceListener({ users: USERS }),
  ]);
  try {
    const succeeded: string[] = [];
    let cut = 0;
    let retried = 0;
    for (let k = 0; k < KILLS; k++) {
      const proc = site.proc?.alive() ? site.proc : await site.start();
      const victim = between(random, 0, FLOWS_PER_ROUND);
      const delay = between(random, 0, 30);
      let killed: Promise<void> | null = null;
      const round = Array.from({ length: FLOWS_PER_ROUND }, (_, i) => {
        const listener = listeners[i % 2] as ReferenceListener;
        const user = k * FLOWS_PER_ROUND + i;
        const kill = () => {
          killed = sleep(delay).then(() => proc.kill());
        };
        return subscribeFlow(site, listener, `v${user}`, i === victim ? kill : undefined).then(
          (outcome) => ({ listener, user, outcome }),
        );
      });
      const outcomes = await Promise.all(round);
      // If the chosen flow never got that far, the kill comes now (after the round).
      await (killed ?? proc.kill());
      assert.ok(!proc.alive(), "killed");
      const refused = outcomes.filter((o) => o.outcome === "refused");
      assert.deepEqual(refused, [], "no flow refused (only cut off by the kill)");

      // The store as the dead process left it: every success page is a subscriber.
      const ok = outcomes.filter((o) => o.outcome === "subscribed");
      const uris = ok.map((o) => o.listener.userUri(o.user + 1));
      succeeded.push(...uris);
      const stored = await readStore(
        site.dataFile,
        async (s) => new Set((await s.followers()).map((x) => x.id)),
      );
      const lost = succeeded.filter((u) => !stored.has(u));
      assert.deepEqual(lost, [], `after kill ${k + 1}: subscribers whose flow showed success`);

      // After the restart, a visitor whose flow was cut off tries again and gets through.
      await site.start();
      const again = outcomes.find((o) => o.outcome === "cut off");
      if (again) {
        assert.equal(await subscribeFlow(site, again.listener, `v${again.user}`), "subscribed");
        succeeded.push(again.listener.userUri(again.user + 1));
        retried++;
      }
      cut += outcomes.length - ok.length;
      t.diagnostic(
        `kill ${k + 1} (${delay} ms after flow ${victim} reached the callback): ${ok.length} subscribed, ${outcomes.length - ok.length} cut off`,
      );
    }
    await site.proc?.stop();
    const stored = await readStore(
      site.dataFile,
      async (s) => new Set((await s.followers()).map((x) => x.id)),
    );
    assert.deepEqual(
      succeeded.filter((u) => !stored.has(u)),
      [],
      "every success in the final store",
    );
    t.diagnostic(
      `seed ${seed}: ${KILLS} SIGKILLs during callbacks; ${succeeded.length} flows showed success, all stored; ${cut} cut off, ${retried} retried after the restart and stored`,
    );
  } finally {
    await site.dispose();
    await Promise.all(listeners.map((l) => l.stop()));
  }
});
