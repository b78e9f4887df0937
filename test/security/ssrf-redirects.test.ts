import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { answer, type Peer, redirect, serveOmb, startPeer, xrdsOf } from "../hostile/peer.js";
import { stepOf, submitForm } from "../hostile/visitor.js";
import type { SidecarProcess } from "../reference-listener/sidecar-process.js";
import {
  DNS_TARGETS,
  LITERAL_TARGETS,
  STAND_IN_DNS,
  startTraps,
  type Target,
  type Traps,
} from "./ssrf-targets.js";
import { STAND_IN_PUBLIC, startStandInSidecar } from "./stand-in.js";

/**
 * SSRF one hop in: a public service (played by 127.0.0.3, the only address the stand-in
 * sidecar treats as public) that redirects the profile fetch, points its XRDS location, or
 * puts its request-token endpoint at a private address — every spelling of it, and names that
 * resolve to one. All refused; the loopback traps at those addresses see no connection.
 */

let sidecar: SidecarProcess;
let service: Peer;
let traps: Traps;

before(async () => {
  [sidecar, service, traps] = await Promise.all([
    startStandInSidecar(STAND_IN_DNS),
    startPeer(STAND_IN_PUBLIC),
    startTraps(),
  ]);
  serveOmb(service);
});
after(async () => {
  await Promise.all([sidecar?.stop(), service?.close(), traps?.close()]);
});

const TARGETS = [...LITERAL_TARGETS, ...DNS_TARGETS];

function id(t: Target): string {
  return encodeURIComponent(t.host);
}

describe("the stand-in public service works", () => {
  it("a subscribe to it starts normally (so the refusals below are the guard's doing)", async () => {
    const a = await submitForm(sidecar.url, service.url("/alice"));
    assert.equal(a.status, 303, a.body);
  });
});

describe("SSRF: a redirect into a private address", { concurrency: true }, () => {
  for (const target of TARGETS) {
    it(`${target.what}: ${target.host}`, async () => {
      service.route(
        `/redirect/${id(target)}`,
        redirect(() => traps.url(target, "/alice")),
      );
      const a = await submitForm(sidecar.url, service.url(`/redirect/${id(target)}`));
      assert.equal(a.status, 400, a.body);
      assert.equal(stepOf(a), "address refused", a.body);
    });
  }
});

describe("SSRF: an XRDS location at a private address", { concurrency: true }, () => {
  for (const target of TARGETS) {
    it(`${target.what}: ${target.host}`, async () => {
      service.route(`/xrds-at/${id(target)}`, (_req, res) =>
        res
          .writeHead(200, {
            "content-type": "text/html",
            "x-xrds-location": traps.url(target, "/xrds"),
          })
          .end("<html></html>"),
      );
      const a = await submitForm(sidecar.url, service.url(`/xrds-at/${id(target)}`));
      assert.equal(a.status, 400, a.body);
      assert.equal(stepOf(a), "address refused", a.body);
    });
  }
});

describe("SSRF: a request-token endpoint at a private address", { concurrency: true }, () => {
  for (const target of TARGETS) {
    it(`${target.what}: ${target.host}`, async () => {
      const xrds = xrdsOf(service, { request: traps.url(target, "/requesttoken") });
      service.route(`/token-at/${id(target)}`, (_req, res) =>
        res
          .writeHead(200, {
            "content-type": "text/html",
            "x-xrds-location": service.url(`/token-xrds/${id(target)}`),
          })
          .end("<html></html>"),
      );
      service.route(`/token-xrds/${id(target)}`, answer(xrds, "application/xrds+xml"));
      const a = await submitForm(sidecar.url, service.url(`/token-at/${id(target)}`));
      assert.equal(a.status, 502, a.body);
      assert.equal(stepOf(a), "request token refused", a.body);
      assert.match(a.body, /Refused to fetch/);
    });
  }

  it("a request-token endpoint that answers with a redirect into loopback: not followed", async () => {
    const loop = LITERAL_TARGETS[0] as Target;
    service.route(
      "/rt-redirect",
      redirect(() => traps.url(loop, "/requesttoken"), 307),
    );
    service.route(
      "/rt-redirect-xrds",
      answer(xrdsOf(service, { request: service.url("/rt-redirect") }), "application/xrds+xml"),
    );
    service.route("/rt-redirect-profile", (_req, res) =>
      res.writeHead(200, { "x-xrds-location": service.url("/rt-redirect-xrds") }).end(),
    );
    const a = await submitForm(sidecar.url, service.url("/rt-redirect-profile"));
    assert.equal(a.status, 502, a.body);
    assert.equal(stepOf(a), "request token refused", a.body);
  });
});

describe("SSRF: afterwards", () => {
  it("nothing was reached: the loopback traps saw no connection", () => {
    assert.equal(traps.connections(), 0);
  });
});
