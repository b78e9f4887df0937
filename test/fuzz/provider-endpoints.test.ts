import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { journalMark, writesSince } from "./http/journal.js";
import { ownerEndpoints } from "./http/owner-endpoints.js";
import { providerEndpoints } from "./http/provider-endpoints.js";
import { type ProviderWorld, startProviderWorld } from "./http/provider-world.js";
import { fuzzBatch, judge, summary } from "./http/run.js";
import { type FuzzRequest, Sender } from "./http/sender.js";
import type { Built, WorldEndpoint } from "./http/world-cases.js";
import { FUZZ_SEED, fuzzRuns } from "./property.js";

/**
 * Endpoint fuzzing of the site-as-listener endpoints, the hooks and the owner's pages over
 * real HTTP against a real sidecar process (issue 6, part B): request token, the authorize
 * page and its Accept/Reject, access token, postNotice, updateProfile, /hooks/deploy,
 * /hooks/command, /admin, /admin/login, /admin/logout, /admin/following/remove and
 * /admin/inbox.json. The sidecar follows a remote author first, so signed requests with
 * random field values get past OAuth. Bar: no 5xx, no stack trace, a 2xx/3xx only where
 * the request could be valid, and the store written only by what was accepted (the
 * journal lines each batch appended are compared with its answers). Size: FUZZ_RUNS
 * requests per endpoint (60 in `npm test`, 10,000 in `npm run test:fuzz`).
 */

const RUNS = fuzzRuns(60);
const SEED = FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31);
const CONCURRENCY = 4;

let world: ProviderWorld;
let sender: Sender;

before(async () => {
  world = await startProviderWorld();
  sender = new Sender(world.target.url, CONCURRENCY);
});

after(async () => {
  await sender?.close();
  await world?.close();
});

function describeRequest(r: FuzzRequest | undefined): string {
  if (!r) return "(not built)";
  const body = r.body ? ` body=${JSON.stringify(r.body.toString("latin1").slice(0, 300))}` : "";
  return `${r.method} ${JSON.stringify(r.path.slice(0, 300))} headers=${JSON.stringify(r.headers).slice(0, 400)}${body}`;
}

async function fuzzEndpoint(endpoint: WorldEndpoint, diagnostic: (s: string) => void) {
  const makers = fc.sample(endpoint.cases(world), { numRuns: RUNS, seed: SEED });
  const cases = makers.map((make) => ({ make, built: undefined as Built | undefined }));
  const answered: { built: Built; status: number }[] = [];
  const mark = await journalMark(world.target.dataFile);
  const tally = await fuzzBatch(
    cases,
    CONCURRENCY,
    (c) => {
      c.built = c.make();
      return sender.send(c.built.request);
    },
    (c, o) => {
      const built = c.built as Built;
      if (!("noResponse" in o)) answered.push({ built, status: o.status });
      return (
        judge(o, { mayServe: (status) => built.mayServe(status) }) ??
        ("noResponse" in o ? null : (built.check?.(o) ?? null))
      );
    },
    (c) => describeRequest(c.built?.request),
  );
  diagnostic(`${endpoint.name}: ${summary(tally)}`);
  assert.equal(tally.failed, 0, `${summary(tally)}\n${tally.failures.join("\n")}`);
  // the store's journal is appended before each answer: everything is there now
  const problem = endpoint.checkWrites(await writesSince(world.target.dataFile, mark), answered);
  assert.equal(problem, null, `${endpoint.name}: store ${problem}`);
}

describe(`provider, hook and admin endpoint fuzzing, ${RUNS} requests each (seed ${SEED}; replay with FUZZ_SEED)`, () => {
  it("every endpoint", async (t) => {
    for (const endpoint of [...providerEndpoints(world), ...ownerEndpoints(world)]) {
      await t.test(endpoint.name, (st) => fuzzEndpoint(endpoint, (s) => st.diagnostic(s)));
    }
  });

  it("afterwards: still answering, the owner still logged in, nothing unexpected logged", async () => {
    const health = await sender.send({ method: "GET", path: "/healthz", headers: [] });
    assert.ok(!("noResponse" in health) && health.status === 200);
    const status = await sender.send({
      method: "GET",
      path: "/admin",
      headers: ["cookie", world.owner.cookie],
    });
    assert.ok(!("noResponse" in status) && status.status === 200, "owner session intact");
    const push = await world.remote.postNotice("after-fuzz");
    assert.equal(push.status, 200, `the followed author can still push: ${push.body}`);
    const log = world.target.stderr();
    assert.doesNotMatch(
      log,
      /unexpected error|"level":(50|60)|Unhandled|uncaught/i,
      log.slice(-3000),
    );
  });
});
