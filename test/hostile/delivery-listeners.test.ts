import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import type { Destination } from "../../sidecar/store/types.js";
import { callDeployHook } from "../helpers/deploy-hook.js";
import { readStore } from "../helpers/read-store.js";
import { testManifest, testNotice, writeManifest } from "../helpers/receiver-manifest.js";
import {
  SITE_PROFILE,
  SITE_URL,
  type SidecarProcess,
  siteBrowser,
  startSidecarProcess,
} from "../reference-listener/sidecar-process.js";
import {
  type PushMode,
  type ReferenceListener,
  startReferenceListener,
} from "../reference-listener/spawn.js";
import {
  aByteASecond,
  answer,
  dribbleHeaders,
  floodHeaders,
  hang,
  huge,
  type Peer,
  type Route,
  redirect,
  reset,
  startPeer,
  xrdsOf,
} from "./peer.js";
import { approve, submitForm } from "./visitor.js";

/**
 * Hostile listeners during delivery (issue 6, part B): subscribers whose postNotice answers
 * 200 with the wrong body, never answers (twenty of them), sends its body a byte a second,
 * resets, announces 2 GB, redirects, or dribbles or floods its headers — next to one healthy
 * listener. Every push must end within the HTTP client's limits (10 s to the headers, 20 s
 * in all) in a recorded failure (the destination's lastError, attempts, retry time) and be
 * retried by the policy; the healthy listener must get each notice promptly all the same.
 * Real processes: the sidecar, reference listeners (their push modes), and a scriptable
 * peer for the rest, all subscribed through the real subscribe flow.
 */

const SECRET = "hostile-delivery-secret";
const HEADERS_MS = 10_000;
const TOTAL_MS = 20_000;
const MARGIN_MS = 5_000;
const QUICK_MS = 5_000;
/** A notice must reach the healthy listener this fast, hostile ones or not. */
const PROMPT_MS = 2_000;
const HANGING = 20;

let sidecar: SidecarProcess;
let peer: Peer;
const refs = new Map<PushMode, ReferenceListener>();
let deployedAt = 0;

/** Peer destinations: name → [postNotice behaviour, lastError pattern, time limit]. */
const PEER_KINDS: Record<string, [Route, RegExp, number]> = {
  wrongbody: [
    answer("<html>maintenance</html>", "text/html"),
    /HTTP 200 without "omb_version=/,
    QUICK_MS,
  ],
  trickle: [aByteASecond("x".repeat(60), "text/plain"), /^timeout:/, TOTAL_MS + MARGIN_MS],
  reset: [reset, /^reset:/, QUICK_MS],
  huge: [huge(2 * 1024 ** 3, { announce: true, type: "text/plain" }), /^too-large:/, QUICK_MS],
  redirect: [redirect((p) => p.url("/elsewhere"), 302), /^HTTP 302/, QUICK_MS],
  slowheaders: [dribbleHeaders, /^timeout:/, HEADERS_MS + MARGIN_MS],
  hugeheaders: [floodHeaders(64), /^http:/, QUICK_MS],
};
for (let i = 0; i < HANGING; i++)
  PEER_KINDS[`hang${i}`] = [hang, /^timeout:/, HEADERS_MS + MARGIN_MS];

/** Reference listener push modes: lastError pattern and time limit. */
const REF_KINDS: [PushMode, RegExp, number][] = [
  ["hang", /^timeout:/, HEADERS_MS + MARGIN_MS],
  ["reset", /^reset:/, QUICK_MS],
  ["wrong-body", /HTTP 200 without "omb_version=/, QUICK_MS],
  ["500", /^HTTP 500/, QUICK_MS],
  ["down", /^HTTP 503/, QUICK_MS],
];

/** A working OMB service on the peer whose postNotice is `route`; subscribes through the form. */
async function subscribePeer(name: string, route: Route): Promise<void> {
  const xrds = xrdsOf(peer, {
    localId: peer.url(`/user/${name}`),
    request: peer.url(`/rt/${name}`),
    access: peer.url(`/at/${name}`),
    postNotice: peer.url(`/d/${name}/postnotice`),
    updateProfile: peer.url(`/d/${name}/updateprofile`),
  });
  peer.route(`/p/${name}`, (_req, res) =>
    res
      .writeHead(200, { "content-type": "text/html", "x-xrds-location": peer.url(`/x/${name}`) })
      .end("<html></html>"),
  );
  peer.route(`/x/${name}`, answer(xrds, "application/xrds+xml"));
  peer.route(`/rt/${name}`, answer(`oauth_token=rt-${name}&oauth_token_secret=s`, "text/plain"));
  peer.route(`/at/${name}`, answer(`oauth_token=at-${name}&oauth_token_secret=s2`, "text/plain"));
  peer.route(`/d/${name}/postnotice`, route);
  const started = await submitForm(sidecar.url, peer.url(`/p/${name}`));
  assert.equal(started.status, 303, started.body.slice(0, 500));
  const done = await approve(sidecar.url, started, `rt-${name}`, {
    profile: peer.url(`/p/${name}`),
    nickname: name,
  });
  assert.equal(done.status, 200, done.body.slice(0, 500));
}

async function subscribeRef(l: ReferenceListener): Promise<void> {
  const browser = siteBrowser(sidecar);
  const start = await browser.postForm(`${SITE_URL}omb/subscribe`, {
    profile_url: l.profileUrl("alice"),
  });
  const finish = await browser.follow(await browser.follow(start));
  assert.equal(finish.status, 200, finish.body.slice(0, 500));
}

async function deploy(ids: number[]): Promise<void> {
  await writeManifest(
    path.join(sidecar.dir, "manifest.json"),
    testManifest(SITE_URL, ids, SITE_PROFILE),
  );
  const res = await callDeployHook(sidecar.url, SECRET, { source: "test" });
  assert.equal(res.status, 200, await res.text());
}

function destinations(): Promise<Map<string, Destination>> {
  return readStore(
    sidecar.dataFile,
    async (s) => new Map((await s.destinations()).map((d) => [d.url, d])),
  );
}

/** Polls until `url`'s destination has a recorded failure; returns it and when (ms after deploy). */
async function failureOf(url: string, limitMs: number): Promise<{ d: Destination; ms: number }> {
  const deadline = deployedAt + limitMs;
  for (;;) {
    const d = (await destinations()).get(url);
    if (d?.failingSince && d.lastError) return { d, ms: Date.now() - deployedAt };
    if (Date.now() > deadline)
      assert.fail(`${url}: no failure recorded within ${limitMs} ms: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ms from now until the healthy listener holds notice `id`. */
async function healthyGets(id: number): Promise<number> {
  const started = Date.now();
  const want = testNotice(SITE_URL, id).uri;
  const ok = refs.get("ok") as ReferenceListener;
  while (!(await ok.seen()).notices.some((n) => n.params.omb_notice === want)) {
    if (Date.now() - started > PROMPT_MS * 3)
      assert.fail(`notice ${id} not delivered to the healthy listener`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

before(async () => {
  [sidecar, peer] = await Promise.all([
    startSidecarProcess({
      config: { logLevel: "warn", delivery: { baseDelaySeconds: 1, maxDelaySeconds: 2 } },
      env: { FEDERATION_HOOK_SECRET: SECRET },
    }),
    startPeer(),
  ]);
  const modes: PushMode[] = ["ok", ...REF_KINDS.map(([m]) => m)];
  const started = await Promise.all(
    modes.map((m) => startReferenceListener({ modes: { postNotice: m } })),
  );
  for (const [i, m] of modes.entries()) refs.set(m, started[i] as ReferenceListener);
  for (const l of refs.values()) await subscribeRef(l);
  for (const [name, [route]] of Object.entries(PEER_KINDS)) await subscribePeer(name, route);
  await deploy([1]); // the first sync records what exists and sends nothing
});

after(async () => {
  await Promise.all([sidecar?.stop(), peer?.close(), ...[...refs.values()].map((l) => l.stop())]);
});

function report(
  t: TestContext,
  what: string,
  r: { d: Destination; ms: number },
  limit: number,
): void {
  t.diagnostic(
    `${what}: failure recorded after ${r.ms} ms (limit ${limit} ms): ${r.d.lastError?.slice(0, 100)}`,
  );
}

describe(`hostile listeners during delivery (${Object.keys(PEER_KINDS).length + REF_KINDS.length} of them, ${HANGING} hanging)`, {
  concurrency: true,
}, () => {
  it("a healthy listener gets each notice promptly next to them", async (t) => {
    deployedAt = Date.now();
    await deploy([1, 2]);
    const first = await healthyGets(2);
    // a second notice while the hanging pushes are still in flight
    await deploy([1, 2, 3]);
    const second = await healthyGets(3);
    t.diagnostic(
      `healthy listener: notice 2 after ${first} ms, notice 3 after ${second} ms (limit ${PROMPT_MS} ms)`,
    );
    assert.ok(first <= PROMPT_MS && second <= PROMPT_MS, `${first} ms, ${second} ms`);
  });

  for (const [name, [, error, limit]] of Object.entries(PEER_KINDS)) {
    it(`peer "${name}": a recorded failure within ${limit} ms`, async (t) => {
      await new Promise((r) => setTimeout(r, 50)); // the deploy above goes first
      const r = await failureOf(peer.url(`/d/${name}/postnotice`), limit);
      report(t, name, r, limit);
      assert.match(r.d.lastError ?? "", error);
      assert.ok(r.d.attempts >= 1 && r.d.retryAt, "a retry is scheduled");
    });
  }

  for (const [mode, error, limit] of REF_KINDS) {
    it(`reference listener "${mode}": a recorded failure within ${limit} ms`, async (t) => {
      await new Promise((r) => setTimeout(r, 50));
      const l = refs.get(mode) as ReferenceListener;
      const r = await failureOf(`${l.url}/postnotice`, limit);
      report(t, `reference ${mode}`, r, limit);
      assert.match(r.d.lastError ?? "", error);
    });
  }
});

describe("afterwards", () => {
  it("quick failures are retried by the policy (1 s, then 2 s)", async () => {
    for (const name of ["wrongbody", "reset", "redirect"]) {
      const url = peer.url(`/d/${name}/postnotice`);
      const deadline = Date.now() + 10_000;
      while (((await destinations()).get(url)?.attempts ?? 0) < 3 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(((await destinations()).get(url)?.attempts ?? 0) >= 3, `${name} retried`);
    }
  });

  it("the sidecar stays healthy: nothing unexpected logged", async () => {
    const res = await fetch(`${sidecar.url}healthz`);
    assert.equal(res.status, 200);
    assert.doesNotMatch(sidecar.stderr(), /unexpected error|delivery worker failed|Unhandled/i);
  });
});
