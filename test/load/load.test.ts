// Load held at once in both roles, against a real sidecar process (fsync on, the default):
// signed postNotice from two followed authors at a sustained rate (autocannon), waves of
// parallel subscribe flows from reference listener processes, and deploys fanning out to
// every listener. Afterwards the store reopens, every notice answered 200 is in the inbox,
// every flow that showed its success page is a subscriber, every deployed notice reached
// every listener exactly once. LOAD_SECONDS and LOAD_RATE size it (3 s at 300/s in
// `npm test`; 30 s at 800/s in `npm run test:load`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { openStore } from "../../sidecar/store/open.js";
import { readStore } from "../helpers/read-store.js";
import type { RemoteListenee } from "../helpers/remote-listenee.js";
import { type ReferenceListener, startReferenceListener } from "../reference-listener/spawn.js";
import { cannon } from "./autocannon.js";
import { noticePool, pusherOf } from "./notice-pool.js";
import {
  createSite,
  deploy,
  followedBy,
  type LoadSite,
  missingFromInbox,
  siteNotices,
  subscribeFrom,
  until,
} from "./site.js";

const SECONDS = Math.min(600, Math.max(1, Number(process.env.LOAD_SECONDS) || 3));
const LONG = SECONDS >= 10;
/** Inbound postNotice requests per second (sustained for the whole run). */
const RATE = Math.max(10, Number(process.env.LOAD_RATE) || 300);
const LISTENERS = LONG ? 4 : 2;
/** Users per listener that subscribe during the load (one more subscribed before it). */
const FLOW_USERS = LONG ? 10 : 3;
/** Flows start in this many waves, each all at once (long: 2 waves of 20 parallel flows). */
const WAVES = LONG ? 2 : 1;
/** Deploys during the load, each publishing two new notices. */
const DEPLOYS = Math.max(2, Math.floor(SECONDS / 3));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

interface Flow {
  listener: ReferenceListener;
  user: number;
  ok: boolean;
}

test(`load for ${SECONDS} s: inbound at ${RATE}/s, subscribe flows and fan-outs at once; nothing acknowledged is lost`, {
  timeout: (SECONDS + 180) * 1000,
}, async (t) => {
  const authors: RemoteListenee[] = [];
  const listeners: ReferenceListener[] = [];
  let site: LoadSite | null = null;
  try {
    site = await createSite({
      fsync: true,
      delivery: { concurrency: 8, baseDelaySeconds: 0.2, maxDelaySeconds: 2 },
    });
    const users = ["pre", ...range(FLOW_USERS).map((i) => `u${i}`)];
    const [followers, started] = await Promise.all([
      followedBy(site, 2),
      Promise.all(range(LISTENERS).map(() => startReferenceListener({ users }))),
    ]);
    authors.push(...followers);
    listeners.push(...started);
    // Every listener is a destination before the load starts, and the first sync is done.
    for (const l of listeners) assert.ok(await subscribeFrom(site, l, "pre"), "pre-subscription");
    assert.equal(await deploy(site, []), 200, "first sync");

    const pools = authors.map((a, i) =>
      noticePool(
        pusherOf(a),
        `load-${i}`,
        Math.ceil((RATE * SECONDS * 1.2) / authors.length) + 200,
      ),
    );
    const accepted = new Set<string>();
    const refused = new Map<number, number>();
    let turn = 0;
    const s = site;
    const inbound = cannon({
      url: s.url.slice(0, -1),
      path: "/omb/postnotice",
      connections: 16,
      seconds: SECONDS,
      rate: RATE,
      next: () => (pools[turn++ % pools.length] ?? pools[0])?.next() ?? { key: "", body: "" },
      onAnswer: (key, status) => {
        if (status === 200) accepted.add(key);
        else refused.set(status, (refused.get(status) ?? 0) + 1);
      },
    });

    const flows: Flow[] = listeners.flatMap((listener) =>
      range(FLOW_USERS).map((i) => ({ listener, user: i, ok: false })),
    );
    const subscribing = (async () => {
      for (let w = 0; w < WAVES; w++) {
        if (w > 0) await sleep((SECONDS * 1000) / WAVES);
        const wave = flows.filter((f) => f.user % WAVES === w);
        await Promise.all(
          wave.map(async (f) => {
            f.ok = await subscribeFrom(s, f.listener, `u${f.user}`).catch(() => false);
          }),
        );
      }
    })();

    const published: number[] = [];
    const hookAnswers: number[] = [];
    const deploying = (async () => {
      for (let d = 1; d <= DEPLOYS; d++) {
        await sleep((SECONDS * 1000) / (DEPLOYS + 1));
        published.push(2 * d - 1, 2 * d);
        hookAnswers.push(await deploy(s, [...published]));
      }
    })();

    const t0 = Date.now();
    const [load] = await Promise.all([inbound, subscribing, deploying]);
    const loadSeconds = (Date.now() - t0) / 1000;

    // What the load reported.
    const refusedText = [...refused].map(([st, n]) => `${n}×${st}`).join(", ");
    assert.equal(refused.size, 0, `valid notices refused: ${refusedText}`);
    assert.equal(load.errors + load.timeouts, 0, "no connection errors or timeouts");
    assert.equal(accepted.size, load.ok, "each 200 for a distinct notice");
    assert.ok(
      load.okPerSecond >= RATE * 0.8,
      `inbound rate held: ${load.okPerSecond.toFixed(0)}/s of ${RATE}/s`,
    );
    assert.deepEqual(hookAnswers, Array(DEPLOYS).fill(200), "every deploy hook answered 200");
    const failedFlows = flows.filter((f) => !f.ok).map((f) => `${f.listener.url} u${f.user}`);
    assert.deepEqual(failedFlows, [], "every subscribe flow reached its success page");

    // Every deployed notice reaches every listener (each had a subscriber before the deploys).
    const want = siteNotices(s, published).map((n) => n.uri);
    const received = async (l: ReferenceListener) =>
      (await l.seen()).notices
        .filter((n) => n.listenee === s.url)
        .map((n) => n.params.omb_notice ?? "");
    await until(
      "every deployed notice at every listener",
      async () => {
        for (const l of listeners) {
          const got = new Set(await received(l));
          if (!want.every((u) => got.has(u))) return false;
        }
        return true;
      },
      60_000,
    );
    for (const l of listeners) {
      const got = await received(l);
      assert.equal(got.length, new Set(got).size, `${l.url}: no notice received twice`);
    }

    // Then the store, after a clean stop: it reopens (journal replayed) and holds it all.
    await s.proc?.stop();
    const reopened = await openStore(s.dataFile);
    await reopened.close();
    const missing = await missingFromInbox(s.dataFile, accepted);
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} accepted notices not stored`);
    const stored = await readStore(s.dataFile, async (st) => {
      const published = await st.publishedPosts();
      return {
        subscribers: new Set((await st.followers()).map((x) => x.id)),
        head: await st.headSeq(),
        cursors: (await st.destinations()).map((d) => d.cursor),
        published: want.filter((u) => published.has(u)).length,
      };
    });
    for (const f of flows) {
      assert.ok(stored.subscribers.has(f.listener.userUri(f.user + 2)), "flow's subscriber stored");
    }
    assert.equal(stored.subscribers.size, LISTENERS * (FLOW_USERS + 1), "all subscribers, once");
    assert.equal(stored.head, want.length, "each deployed notice logged once");
    assert.equal(stored.published, want.length);
    assert.ok(
      stored.cursors.every((c) => c === stored.head),
      "every cursor at the head",
    );

    t.diagnostic(
      `inbound ${load.okPerSecond.toFixed(0)} notices/s for ${load.seconds} s (target ${RATE}/s): ${accepted.size} accepted, 0 lost, p50 ${load.p50} ms, p99 ${load.p99} ms; ` +
        `${flows.length} subscribe flows in ${WAVES} wave(s) of ${flows.length / WAVES} at once, all stored; ` +
        `${DEPLOYS} deploys, ${want.length} notices × ${LISTENERS} listeners delivered once each; ${loadSeconds.toFixed(1)} s`,
    );
  } catch (e) {
    t.diagnostic(`sidecar log:\n${site?.proc?.stderr().slice(-4000) ?? ""}`);
    throw e;
  } finally {
    await site?.dispose();
    await Promise.all(listeners.map((l) => l.stop()));
    for (const a of authors) await a.close();
  }
});
