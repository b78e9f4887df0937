// SIGKILL of a sidecar process in the middle of a stream of signed postNotice requests
// (autocannon, 16 connections, as fast as it answers, fsync on), at a random moment, again
// and again. After each kill the store as the dead process left it opens and holds every
// notice that was answered 200, and after the restart the last acknowledged requests,
// sent again byte for byte, are refused as replays: their nonces were durable too; and the
// restarted process has written inbox.json (what a file-based timeline build reads) with
// every acknowledged notice before it answers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readStore } from "./helpers/read-store.js";
import { cannon } from "./load/autocannon.js";
import { between, crashSeed, seededRandom, sleep } from "./load/crash.js";
import { noticePool, pusherOf } from "./load/notice-pool.js";
import { createSite, followedBy, missingFromInbox, missingFromInboxExport } from "./load/site.js";

const KILLS = 8;
/** Requests answered 200 just before each kill that are replayed after the restart. */
const REPLAYS = 5;

test(`SIGKILL ${KILLS} times during inbound postNotice under load: every 200 is stored, with its nonce`, {
  timeout: 240_000,
}, async (t) => {
  const seed = crashSeed();
  const random = seededRandom(seed);
  const site = await createSite({ fsync: true });
  const authors = await followedBy(site, 1);
  try {
    const [author] = authors;
    assert.ok(author);
    const pusher = pusherOf(author);
    const accepted = new Set<string>();
    let kills = 0;
    let inFlight = 0;
    for (let k = 0; k < KILLS; k++) {
      const proc = site.proc?.alive() ? site.proc : await site.start();
      const pool = noticePool(pusher, `crash-${k}`, 6000);
      const bodies = new Map<string, string>();
      const acked: string[] = [];
      const refused: number[] = [];
      const stop = new AbortController();
      const run = cannon({
        url: site.url.slice(0, -1),
        path: "/omb/postnotice",
        connections: 16,
        seconds: 20,
        signal: stop.signal,
        next: () => {
          const n = pool.next();
          if (!stop.signal.aborted) bodies.set(n.key, n.body); // sent before the kill
          return n;
        },
        onAnswer: (key, status) => {
          if (status !== 200) refused.push(status);
          else {
            accepted.add(key);
            acked.push(key);
          }
        },
      });
      await sleep(between(random, 150, 1500));
      const killed = proc.kill(); // SIGKILL sent now; the client stops reading at once
      stop.abort();
      await killed;
      kills++;
      const result = await run;
      assert.deepEqual(refused, [], "no valid notice refused before the kill");
      assert.ok(acked.length > 0, `round ${k}: some notices were answered before the kill`);
      inFlight += bodies.size - acked.length;

      // The files as the killed process left them: they parse and hold every 200.
      const missing = await missingFromInbox(site.dataFile, accepted);
      assert.deepEqual(missing, [], `after kill ${k + 1}: acknowledged notices lost`);

      // The restart opens them for writing (a torn last line is cut), and the requests
      // acknowledged last are replays now: a lost nonce would let them through (200).
      await site.start();
      // Once it answers, the build's copy holds them too (the debounced export died with it).
      const unexported = await missingFromInboxExport(site.dataFile, accepted);
      assert.deepEqual(
        unexported,
        [],
        `inbox.json after restart ${k + 1}: acknowledged notices missing`,
      );
      for (const key of acked.slice(-REPLAYS)) {
        const res = await fetch(`${site.url}omb/postnotice`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: bodies.get(key) ?? "",
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        assert.equal(res.status, 401, `replay of ${key} after the restart: ${text}`);
        assert.match(text, /nonce was already used/);
      }
      t.diagnostic(
        `kill ${k + 1}: ${acked.length} answered 200 in ${result.seconds} s before it, ${bodies.size - acked.length} unanswered`,
      );
    }
    await site.proc?.stop();
    const stored = await readStore(site.dataFile, async (s) => (await s.inbox()).length);
    assert.ok(stored >= accepted.size, "the inbox holds at least every acknowledged notice");
    t.diagnostic(
      `seed ${seed}: ${kills} SIGKILLs mid-stream, ${accepted.size} notices acknowledged, 0 lost; ${stored - accepted.size} of ${inFlight} unanswered notices were stored too`,
    );
  } finally {
    await site.dispose();
    for (const a of authors) await a.close();
  }
});
