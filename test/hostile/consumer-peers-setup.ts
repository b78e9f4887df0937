// Shared setup for the hostile consumer-peer cases: the sidecar, the peers, limits, assertions.
import assert from "node:assert/strict";
import { after, before, type TestContext } from "node:test";
import { type SidecarProcess, startSidecarProcess } from "../reference-listener/sidecar-process.js";
import { answer, type Peer, type Route, serveOmb, startPeer, xrdsOf } from "./peer.js";
import { type Attempt, memoryOf, stepOf, submitForm } from "./visitor.js";

export const HEADERS_TIMEOUT_MS = 10_000;
export const TOTAL_TIMEOUT_MS = 20_000;
/** Scheduling slack on a loaded test machine. */
export const MARGIN_MS = 5_000;
export const QUICK_MS = 5_000;
/** What a peer offers to send in the "huge" cases: far over the 1 MiB cap. */
export const HUGE_BYTES = 256 * 1024 * 1024;
/** The sidecar may grow by this much at its peak, all cases together. */
export const MAX_GROWTH_MIB = 64;

export let sidecar: SidecarProcess;
export let peer: Peer;
export let trap: Peer;
export let rssBefore = 0;

/** Starts the sidecar and the peers before the cases (memory measured after a warm-up). */
export function setUpHostilePeers(): void {
  before(async () => {
    [sidecar, peer, trap] = await Promise.all([
      startSidecarProcess({ config: { allowPrivateNetworks: true } }),
      startPeer(),
      startPeer(),
    ]);
    serveOmb(peer);
    trap.route("/evil.dtd", answer('<!ENTITY x "reached">', "application/xml-dtd"));
    // One normal attempt first, so the code paths are loaded before memory is measured.
    const warm = await submitForm(sidecar.url, peer.url("/alice"));
    assert.equal(warm.status, 303, warm.body);
    rssBefore = (await memoryOf(sidecar.pid)).rss;
  });

  after(async () => {
    await Promise.all([sidecar?.stop(), peer?.close(), trap?.close()]);
  });
}

/** A profile at /p/<name> whose XRDS (at /x/<name>) is served by `xrds`. */
export function profileWithXrds(name: string, xrds: Route): string {
  peer.route(`/p/${name}`, (_req, res) =>
    res
      .writeHead(200, { "content-type": "text/html", "x-xrds-location": peer.url(`/x/${name}`) })
      .end("<html><head></head><body>profile</body></html>"),
  );
  peer.route(`/x/${name}`, xrds);
  return peer.url(`/p/${name}`);
}

/**
 * A working profile and XRDS whose request- or access-token endpoint is `token`. Its own
 * request token is `rt-<name>`, so flows run side by side without sharing one.
 */
export function serviceWithToken(name: string, which: "request" | "access", token: Route): string {
  peer.route(`/rt/${name}`, answer(`oauth_token=rt-${name}&oauth_token_secret=s`, "text/plain"));
  peer.route(`/t/${name}`, token);
  const xrds = xrdsOf(peer, { request: peer.url(`/rt/${name}`), [which]: peer.url(`/t/${name}`) });
  return profileWithXrds(name, answer(xrds, "application/xrds+xml"));
}

export function assertFailure(
  t: TestContext,
  a: Attempt,
  status: number,
  step: string,
  withinMs: number,
): void {
  assert.equal(a.status, status, a.body.slice(0, 2000));
  assert.equal(stepOf(a), step, a.body.slice(0, 2000));
  assert.ok(a.ms <= withinMs, `took ${a.ms.toFixed(0)} ms, limit ${withinMs} ms`);
  assert.doesNotMatch(a.body, /\n\s+at \S|node_modules/, "no stack trace");
  t.diagnostic(`${status} "${step}" after ${a.ms.toFixed(0)} ms (limit ${withinMs} ms)`);
}
