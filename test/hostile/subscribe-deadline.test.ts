import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readStore } from "../helpers/read-store.js";
import { type SidecarProcess, startSidecarProcess } from "../reference-listener/sidecar-process.js";
import {
  answer,
  hang,
  later,
  type Peer,
  REQUEST_TOKEN,
  serveOmb,
  startPeer,
  xrdsOf,
} from "./peer.js";
import { stepOf, submitForm } from "./visitor.js";

/**
 * One subscribe attempt makes up to six remote fetches, each bounded on its own (10 s to
 * the headers, 20 s in all), so a service that stays just under each limit could hold an
 * attempt for about two minutes. `subscribe.attemptSeconds` bounds the whole attempt: past
 * it the visitor gets the "too slow" page, no further fetch is started and nothing is
 * stored. Here the deadline is 3 s and each hostile step takes 2 s.
 */

const DEADLINE_S = 3;
const STEP_MS = 2000;
/** Scheduling slack on a loaded machine. */
const MARGIN_MS = 1500;

let sidecar: SidecarProcess;
let peer: Peer;

before(async () => {
  [sidecar, peer] = await Promise.all([
    startSidecarProcess({
      config: { allowPrivateNetworks: true, subscribe: { attemptSeconds: DEADLINE_S } },
    }),
    startPeer(),
  ]);
  serveOmb(peer);
});

after(async () => {
  await Promise.all([sidecar?.stop(), peer?.close()]);
});

function hasPendingFlow(requestToken: string): Promise<boolean> {
  return readStore(
    sidecar.dataFile,
    async (s) => (await s.pendingSubscription(requestToken)) !== undefined,
  );
}

describe(`a subscribe attempt ends after subscribe.attemptSeconds (${DEADLINE_S} s)`, () => {
  it("slow profile + slow XRDS (each under every per-fetch limit): 504 too slow at the deadline, the token endpoint never asked", async (t) => {
    peer.route("/slow/requesttoken", answer("oauth_token=a&oauth_token_secret=b", "text/plain"));
    const xrds = xrdsOf(peer, { request: peer.url("/slow/requesttoken") });
    peer.route("/slow/xrds", later(STEP_MS, answer(xrds, "application/xrds+xml")));
    peer.route(
      "/slow/profile",
      later(STEP_MS, (_req, res) =>
        res
          .writeHead(200, {
            "content-type": "text/html",
            "x-xrds-location": peer.url("/slow/xrds"),
          })
          .end("<html></html>"),
      ),
    );
    const a = await submitForm(sidecar.url, peer.url("/slow/profile"));
    t.diagnostic(`${a.status} "${stepOf(a)}" after ${a.ms.toFixed(0)} ms`);
    assert.equal(a.status, 504, a.body.slice(0, 1500));
    assert.equal(stepOf(a), "too slow");
    assert.match(a.body, new RegExp(`longer than ${DEADLINE_S} seconds`));
    assert.ok(a.ms >= DEADLINE_S * 1000 - 100, `ended early: ${a.ms} ms`);
    assert.ok(a.ms <= DEADLINE_S * 1000 + MARGIN_MS, `took ${a.ms} ms`);
    assert.equal(a.location, undefined, "no redirect: no flow started");
    // the XRDS answers at ~4 s: discovery must not go on to the request token
    await new Promise((r) => setTimeout(r, STEP_MS + 500));
    assert.equal(peer.hits("/slow/xrds"), 1);
    assert.equal(peer.hits("/slow/requesttoken"), 0, "no fetch after the deadline");
  });

  it("a request-token endpoint that never answers: 504 at the deadline, not after the 10 s headers limit", async (t) => {
    peer.route("/hang/requesttoken", hang);
    const xrds = xrdsOf(peer, { request: peer.url("/hang/requesttoken") });
    peer.route("/hang/xrds", answer(xrds, "application/xrds+xml"));
    peer.route("/hang/profile", (_req, res) =>
      res
        .writeHead(200, { "content-type": "text/html", "x-xrds-location": peer.url("/hang/xrds") })
        .end("<html></html>"),
    );
    const a = await submitForm(sidecar.url, peer.url("/hang/profile"));
    t.diagnostic(`${a.status} "${stepOf(a)}" after ${a.ms.toFixed(0)} ms`);
    assert.equal(a.status, 504, a.body.slice(0, 1500));
    assert.equal(stepOf(a), "too slow");
    assert.ok(a.ms <= DEADLINE_S * 1000 + MARGIN_MS, `took ${a.ms} ms`);
    assert.equal(peer.hits("/hang/requesttoken"), 1);
  });

  it("nothing stored by the attempts that ran out; a prompt service still subscribes", async () => {
    assert.equal(await hasPendingFlow("a"), false);
    const a = await submitForm(sidecar.url, peer.url("/alice"));
    assert.equal(a.status, 303, a.body.slice(0, 1500));
    assert.equal(await hasPendingFlow(REQUEST_TOKEN.token), true);
    assert.doesNotMatch(sidecar.stderr(), /unexpected error|Unhandled/i);
  });
});
