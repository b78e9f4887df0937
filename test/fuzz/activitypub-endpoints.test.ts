import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { destinationKey } from "../../sidecar/store/store.js";
import { type ApEndpoint, type ApShot, inboxEndpoints, readEndpoints } from "./http/ap-cases.js";
import { type ApWorld, startApWorld } from "./http/ap-world.js";
import { journalMark, keysIn, type Writes, writesSince } from "./http/journal.js";
import { fuzzBatch, judge, summary } from "./http/run.js";
import { Sender } from "./http/sender.js";
import { FUZZ_SEED, fuzzRuns } from "./property.js";

/**
 * Endpoint fuzzing of the ActivityPub wing over real HTTP against a real sidecar process:
 * WebFinger, NodeInfo, the actor, outbox, followers, following, a post object, unknown AP
 * paths, and both inboxes, each inbox twice (requests that must be refused: unsigned,
 * malformed, huge, deeply nested, near-miss signatures, junk keys; and correctly signed
 * activities with hostile fields from the test actor and a peer). Bar: no 5xx, no stack
 * trace, a 2xx/3xx only where the request could be served, reads and refusals write
 * nothing but Fedify's caches of fetched keys, and accepted activities only the follower
 * tables and Fedify's records. Size: FUZZ_RUNS requests per endpoint (40 in `npm test`,
 * 10,000 in `npm run test:fuzz`).
 */

const RUNS = fuzzRuns(40);
const SEED = FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31);
const CONCURRENCY = 4;

/** Fedify's caches of what it fetched (keys, documents): written even for a refusal. */
const CACHE = /^fedify:\["_fedify","(publicKey|remoteDocument)",/;

let world: ApWorld;
let sender: Sender;

before(async () => {
  world = await startApWorld();
  sender = new Sender(world.target.url, CONCURRENCY);
});

after(async () => {
  await sender?.close();
  await world?.close();
});

interface Answered {
  shot: ApShot;
  status: number;
}

/** What a batch wrote that it should not have; null when all is well. */
function checkWrites(endpoint: ApEndpoint, w: Writes, answered: Answered[]): string | null {
  const kv = keysIn(w, "kv");
  const others = [...w.byTable.keys()].filter((t) => t !== "kv");
  if (endpoint.writes === "none") {
    const stray = kv.filter((k) => !CACHE.test(k));
    if (others.length > 0 || stray.length > 0)
      return `refused requests wrote ${others.join(", ")} ${stray.slice(0, 5).join(" ")}`;
    return null;
  }
  const accepted = answered.filter((a) => a.status >= 200 && a.status < 300);
  const signers = new Set(accepted.map((a) => a.shot.signer));
  const inboxes = [world.bob.inbox, `${world.peer.origin}/inbox`];
  const allowed: Record<string, (key: string) => boolean> = {
    followers: (k) => signers.has(k),
    destinations: (k) => inboxes.some((i) => k === destinationKey("activitypub", i)),
    kv: (k) =>
      CACHE.test(k) ||
      /^fedify:\["_fedify","activityIdempotence",/.test(k) ||
      [...signers].some((s) => k === `activitypub:reply:${s}`) ||
      // The owner's "new follower" notification of an accepted Follow (counted below).
      k.startsWith("notification:"),
  };
  for (const [table, keys] of w.byTable) {
    const ok = allowed[table];
    const bad = keys.filter((k) => !ok?.(k));
    if (bad.length > 0) return `wrote ${table}: ${bad.slice(0, 5).join(" ")}`;
  }
  const notifications = kv.filter((k) => k.startsWith("notification:")).length;
  if (notifications > accepted.length)
    return `${notifications} notifications for ${accepted.length} accepted activities`;
  const records = kv.filter((k) => k.includes('"activityIdempotence"')).length;
  if (records > accepted.length)
    return `${records} activity records for ${accepted.length} accepted activities`;
  const followers = keysIn(w, "followers").length;
  if (followers > 2 * accepted.length)
    return `${followers} follower writes for ${accepted.length} accepted activities`;
  return null;
}

function tableSummary(w: Writes): string {
  const parts = [...w.byTable].map(([t, keys]) => {
    if (t !== "kv") return `${t}×${keys.length}`;
    const kinds = new Map<string, number>();
    for (const k of keys) {
      const kind =
        /^fedify:\["_fedify","([^"]+)"/.exec(k)?.[1] ?? k.split(":").slice(0, 2).join(":");
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    return `kv(${[...kinds].map(([k, n]) => `${k}×${n}`).join(", ")})`;
  });
  return parts.join(" ") || "nothing";
}

async function fuzzEndpoint(endpoint: ApEndpoint, diagnostic: (s: string) => void) {
  const makers = fc.sample(endpoint.cases, { numRuns: RUNS, seed: SEED });
  const cases = makers.map((make) => ({ make, shot: undefined as ApShot | undefined }));
  const answered: Answered[] = [];
  const mark = await journalMark(world.target.dataFile);
  const started = Date.now();
  const tally = await fuzzBatch(
    cases,
    CONCURRENCY,
    async (c) => {
      try {
        c.shot = await c.make();
      } catch (err) {
        return { noResponse: `the case could not be built: ${(err as Error).stack}` };
      }
      return c.shot.send(sender);
    },
    (c, o) => {
      const shot = c.shot;
      if (!shot) return "not built";
      if (!("noResponse" in o)) answered.push({ shot, status: o.status });
      return judge(o, { mayServe: (status) => shot.mayServe(status) });
    },
    (c) => c.shot?.describe ?? "(not built)",
  );
  // replies to accepted Follows are recorded while they are sent: let them settle
  await sleep(endpoint.writes === "signed" ? 500 : 50);
  const writes = await writesSince(world.target.dataFile, mark);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  diagnostic(`${endpoint.name}: ${summary(tally)}; ${seconds} s; wrote ${tableSummary(writes)}`);
  const proc = world.target.proc;
  assert.ok(
    proc?.alive(),
    `the sidecar died (${JSON.stringify(proc?.exitStatus())}):\n${world.target.stderr().slice(-4000)}`,
  );
  assert.equal(tally.failed, 0, `${summary(tally)}\n${tally.failures.join("\n")}`);
  const problem = checkWrites(endpoint, writes, answered);
  assert.equal(problem, null, `${endpoint.name}: store ${problem}`);
}

describe(`ActivityPub endpoint fuzzing, ${RUNS} requests each (seed ${SEED}; replay with FUZZ_SEED)`, () => {
  it("every endpoint", async (t) => {
    for (const endpoint of [...readEndpoints(world), ...inboxEndpoints(world)]) {
      await t.test(endpoint.name, (st) => fuzzEndpoint(endpoint, (s) => st.diagnostic(s)));
    }
  });

  it("afterwards: still answering, the actor served, nothing unexpected logged", async () => {
    const health = await sender.send({ method: "GET", path: "/healthz", headers: [] });
    assert.ok(!("noResponse" in health) && health.status === 200);
    const actor = await sender.send({
      method: "GET",
      path: world.paths.actor,
      headers: ["accept", "application/activity+json"],
    });
    assert.ok(!("noResponse" in actor) && actor.status === 200, "the actor is served");
    const bad = world.target
      .stderr()
      .split("\n")
      .filter((l) => /unexpected error|"level":(50|60)|Unhandled|uncaught/i.test(l));
    assert.deepEqual(bad.slice(0, 3), [], `${bad.length} error lines in the sidecar's log`);
  });
});
