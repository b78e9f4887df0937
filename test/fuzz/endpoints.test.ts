import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { readStore } from "../helpers/read-store.js";
import { type SidecarProcess, startSidecarProcess } from "../reference-listener/sidecar-process.js";
import { ENDPOINTS } from "./http/endpoints.js";
import { rawRequests } from "./http/raw.js";
import { fuzzBatch, judge, signCookie, storeFiles, summary } from "./http/run.js";
import { type FuzzRequest, Sender } from "./http/sender.js";
import { FUZZ_SEED, fuzzRuns } from "./property.js";

/**
 * Endpoint fuzzing over real HTTP against a real sidecar process (issue 6, part 1): for each
 * endpoint, generated requests that are malformed, oversized, duplicated, wrongly encoded or
 * missing parameters. Bar: no 5xx, a clear 4xx, the process still answering, nothing
 * unexpected in its log, the store unchanged. The SSRF guard is on (allowPrivateNetworks
 * false) and every generated URL points at a refused address, so nothing leaves loopback.
 * Size: FUZZ_RUNS requests per endpoint (300 in `npm test`, 10,000 in `npm run test:fuzz`).
 */

const RUNS = fuzzRuns(300);
const SEED = FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31);
const CONCURRENCY = 4;

let sidecar: SidecarProcess;
let sender: Sender;
let cookieSecret: string;
let storeBefore: string;

before(async () => {
  sidecar = await startSidecarProcess({
    config: {
      allowPrivateNetworks: false,
      // past the per-client limit, so every request reaches the handler (429s are tested elsewhere)
      subscribe: { maxAttempts: 1_000_000_000 },
    },
  });
  sender = new Sender(sidecar.url, CONCURRENCY);
  // The first subscribe request creates the cookie secret (a store write): do it before the snapshot.
  const warm = await sender.send({ method: "POST", path: "/omb/subscribe", headers: [] });
  assert.ok(!("noResponse" in warm) && warm.status === 400, "warm-up answered 400");
  cookieSecret = await readStore(sidecar.dataFile, (s) => s.secret("cookie"));
  storeBefore = await storeFiles(sidecar.dataFile);
});

after(async () => {
  await sender?.close();
  await sidecar?.stop();
});

function describeRequest(r: FuzzRequest): string {
  const body = r.body ? ` body=${JSON.stringify(r.body.toString("latin1").slice(0, 200))}` : "";
  return `${r.method} ${JSON.stringify(r.path.slice(0, 300))} headers=${JSON.stringify(r.headers).slice(0, 300)}${body}`;
}

describe(`endpoint fuzzing, ${RUNS} requests each (seed ${SEED}; replay with FUZZ_SEED)`, () => {
  for (const endpoint of ENDPOINTS) {
    it(endpoint.name, async (t) => {
      const arb = endpoint.requests((value) => signCookie(value, cookieSecret));
      const cases = fc.sample(arb, { numRuns: RUNS, seed: SEED });
      const tally = await fuzzBatch(
        cases,
        CONCURRENCY,
        (r) => sender.send(r),
        (r, o) => judge(o, { mayServe: (status) => endpoint.mayServe(r, status) }),
        describeRequest,
      );
      t.diagnostic(`${endpoint.name}: ${summary(tally)}`);
      assert.equal(tally.failed, 0, `${summary(tally)}\n${tally.failures.join("\n")}`);
    });
  }

  it("raw framing: broken chunking, lying lengths, bad request and header lines", async (t) => {
    const cases = fc.sample(rawRequests, { numRuns: RUNS, seed: SEED });
    const tally = await fuzzBatch(
      cases,
      CONCURRENCY,
      (r) => sender.sendRaw(r),
      (r, o) =>
        judge(o, {
          mayServe: (status) => r.servable && status === 200,
          mayNotAnswer: r.incomplete,
        }),
      (r) => JSON.stringify(r.raw.toString("latin1").slice(0, 400)),
    );
    t.diagnostic(`raw framing: ${summary(tally)}`);
    assert.equal(tally.failed, 0, `${summary(tally)}\n${tally.failures.join("\n")}`);
  });

  it("afterwards: still answering, nothing unexpected logged, the store unchanged", async () => {
    const health = await sender.send({ method: "GET", path: "/healthz", headers: [] });
    assert.ok(!("noResponse" in health) && health.status === 200 && health.body === "ok");
    const log = sidecar.stderr();
    assert.doesNotMatch(
      log,
      /unexpected error|"level":(50|60)|Unhandled|uncaught/i,
      log.slice(-3000),
    );
    assert.equal(await storeFiles(sidecar.dataFile), storeBefore, "store files changed");
  });
});
