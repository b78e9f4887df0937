import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
import { openStore } from "../../sidecar/store/open.js";
import { type SidecarProcess, startSidecarProcess } from "../reference-listener/sidecar-process.js";
import {
  ACCESS_TOKEN,
  aByteASecond,
  answer,
  floodHeaders,
  hang,
  huge,
  type Peer,
  type Route,
  redirect,
  reset,
  serveOmb,
  startPeer,
  xrdsOf,
} from "./peer.js";
import { type Attempt, approve, memoryOf, stepOf, submitForm } from "./visitor.js";

/**
 * Hostile peers on the consumer side (issue 6, part 2): a visitor's "OMB service" that is
 * huge, slow, loops, lies about its content type, serves broken or entity-expanding XML, or
 * whose token endpoints hang or reset. Each attempt must end in the right failure page within
 * the HTTP client's limits (HttpClient defaults: 10 s for headers, 20 s per request), with
 * the sidecar's memory bounded and the sidecar still healthy. The cases run concurrently.
 */

const HEADERS_TIMEOUT_MS = 10_000;
const TOTAL_TIMEOUT_MS = 20_000;
/** Scheduling slack on a loaded test machine. */
const MARGIN_MS = 5_000;
const QUICK_MS = 5_000;
/** What a peer offers to send in the "huge" cases: far over the 1 MiB cap. */
const HUGE_BYTES = 256 * 1024 * 1024;
/** The sidecar may grow by this much at its peak, all cases together. */
const MAX_GROWTH_MIB = 64;

let sidecar: SidecarProcess;
let peer: Peer;
let trap: Peer;
let rssBefore = 0;

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

/** A profile at /p/<name> whose XRDS (at /x/<name>) is served by `xrds`. */
function profileWithXrds(name: string, xrds: Route): string {
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
function serviceWithToken(name: string, which: "request" | "access", token: Route): string {
  peer.route(`/rt/${name}`, answer(`oauth_token=rt-${name}&oauth_token_secret=s`, "text/plain"));
  peer.route(`/t/${name}`, token);
  const xrds = xrdsOf(peer, { request: peer.url(`/rt/${name}`), [which]: peer.url(`/t/${name}`) });
  return profileWithXrds(name, answer(xrds, "application/xrds+xml"));
}

function assertFailure(
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

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`).join("")}]>
<XRDS xmlns="xri://$xrds">&lol9;</XRDS>`;

describe("hostile peers, all at once", { concurrency: true }, () => {
  describe("hostile remote profiles and XRDS documents", { concurrency: true }, () => {
    it("a huge profile page without Content-Length: cut at 1 MiB", async (t) => {
      const url = peer.url("/huge-stream");
      peer.route("/huge-stream", huge(HUGE_BYTES, { announce: false }));
      const a = await submitForm(sidecar.url, url);
      assertFailure(t, a, 502, "no Yadis document", QUICK_MS);
      assert.match(a.body, /more than the 1048576 bytes allowed/);
    });

    it("a huge profile page announcing its length: refused before reading", async (t) => {
      peer.route("/huge-announced", huge(HUGE_BYTES, { announce: true }));
      const a = await submitForm(sidecar.url, peer.url("/huge-announced"));
      assertFailure(t, a, 502, "no Yadis document", QUICK_MS);
      assert.match(a.body, /announced 268435456 bytes/);
    });

    it("a huge XRDS document", async (t) => {
      const url = profileWithXrds(
        "huge",
        huge(HUGE_BYTES, { announce: false, type: "application/xrds+xml" }),
      );
      assertFailure(t, await submitForm(sidecar.url, url), 502, "no XRDS", QUICK_MS);
    });

    it("a profile page sent a byte a second: ended by the total time limit", async (t) => {
      peer.route(
        "/slow",
        aByteASecond(
          `<html><head><meta http-equiv="X-XRDS-Location" content="/xrds">${" ".repeat(100)}`,
        ),
      );
      const a = await submitForm(sidecar.url, peer.url("/slow"));
      assertFailure(t, a, 502, "no Yadis document", TOTAL_TIMEOUT_MS + MARGIN_MS);
      assert.match(a.body, /did not answer within 20000 ms/);
    });

    it("an XRDS document sent a byte a second", async (t) => {
      const url = profileWithXrds("slow", aByteASecond(xrdsOf(peer), "application/xrds+xml"));
      const a = await submitForm(sidecar.url, url);
      assertFailure(t, a, 502, "no XRDS", TOTAL_TIMEOUT_MS + MARGIN_MS);
    });

    it("a profile page with 64 KiB of headers: refused, not an internal error", async (t) => {
      peer.route("/flood-headers", floodHeaders(64));
      const a = await submitForm(sidecar.url, peer.url("/flood-headers"));
      assertFailure(t, a, 502, "no Yadis document", QUICK_MS);
      assert.match(a.body, /headers larger than allowed/);
    });

    it("a profile page that never answers: ended by the headers time limit", async (t) => {
      peer.route("/silent", hang);
      const a = await submitForm(sidecar.url, peer.url("/silent"));
      assertFailure(t, a, 502, "no Yadis document", HEADERS_TIMEOUT_MS + MARGIN_MS);
    });

    it("a redirect loop: stopped after 5 hops", async (t) => {
      peer.route(
        "/loop",
        redirect((p) => p.url("/loop")),
      );
      const a = await submitForm(sidecar.url, peer.url("/loop"));
      assertFailure(t, a, 502, "no Yadis document", QUICK_MS);
      assert.match(a.body, /redirected more than 5 times/);
      assert.equal(peer.hits("/loop"), 6, "the first request and five redirects");
    });

    it("an endless chain of new redirect targets", async (t) => {
      peer.route(
        "/chain",
        redirect((p, req) =>
          p.url(
            `/chain?n=${Number(new URL(req.url ?? "", "http://x").searchParams.get("n") ?? 0) + 1}`,
          ),
        ),
      );
      assertFailure(
        t,
        await submitForm(sidecar.url, peer.url("/chain")),
        502,
        "no Yadis document",
        QUICK_MS,
      );
    });

    it("a profile that claims to be an XRDS document but is HTML", async (t) => {
      peer.route(
        "/claims-xrds",
        answer("<!doctype html><html><body>hi</body></html>", "application/xrds+xml"),
      );
      assertFailure(
        t,
        await submitForm(sidecar.url, peer.url("/claims-xrds")),
        502,
        "no XRDS",
        QUICK_MS,
      );
    });

    it("a profile page whose charset lies (UTF-8 bytes announced as UTF-16)", async (t) => {
      peer.route(
        "/charset-lie",
        answer(
          `<html><head><meta http-equiv="X-XRDS-Location" content="${peer.url("/xrds")}"></head></html>`,
          "text/html; charset=utf-16",
        ),
      );
      assertFailure(
        t,
        await submitForm(sidecar.url, peer.url("/charset-lie")),
        400,
        "no Yadis document",
        QUICK_MS,
      );
    });

    it("binary garbage served as an XRDS document", async (t) => {
      const garbage = Buffer.from(
        Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256),
      ).toString("latin1");
      const url = profileWithXrds("garbage", answer(garbage, "application/xrds+xml"));
      assertFailure(t, await submitForm(sidecar.url, url), 502, "no XRDS", QUICK_MS);
    });

    it("a truncated XRDS document", async (t) => {
      const url = profileWithXrds(
        "truncated",
        answer(xrdsOf(peer).slice(0, 700), "application/xrds+xml"),
      );
      assertFailure(t, await submitForm(sidecar.url, url), 502, "no XRDS", QUICK_MS);
    });

    it("entity expansion (billion laughs): refused without expanding", async (t) => {
      const url = profileWithXrds("laughs", answer(BILLION_LAUGHS, "application/xrds+xml"));
      const a = await submitForm(sidecar.url, url);
      assertFailure(t, a, 502, "no XRDS", QUICK_MS);
      assert.match(a.body, /DOCTYPE/);
    });

    it("a DOCTYPE with an external entity: refused, the entity never fetched", async (t) => {
      const xml = `<?xml version="1.0"?><!DOCTYPE XRDS SYSTEM "${trap.url("/evil.dtd")}" [<!ENTITY ext SYSTEM "${trap.url("/evil.dtd")}">]><XRDS xmlns="xri://$xrds">&ext;</XRDS>`;
      const url = profileWithXrds("external", answer(xml, "application/xrds+xml"));
      assertFailure(t, await submitForm(sidecar.url, url), 502, "no XRDS", QUICK_MS);
      assert.equal(trap.hits("/evil.dtd"), 0);
    });
  });

  describe("hostile token endpoints", { concurrency: true }, () => {
    it("a request-token endpoint that never answers", async (t) => {
      const a = await submitForm(sidecar.url, serviceWithToken("rt-hang", "request", hang));
      assertFailure(t, a, 502, "request token refused", HEADERS_TIMEOUT_MS + MARGIN_MS);
      assert.equal(a.cookie, undefined, "no flow started");
    });

    it("a request-token endpoint that resets the connection", async (t) => {
      const a = await submitForm(sidecar.url, serviceWithToken("rt-reset", "request", reset));
      assertFailure(t, a, 502, "request token refused", QUICK_MS);
    });

    it("a request-token endpoint answering 200 with an HTML page", async (t) => {
      const url = serviceWithToken(
        "rt-html",
        "request",
        answer("<html><body>Welcome!</body></html>"),
      );
      assertFailure(t, await submitForm(sidecar.url, url), 502, "request token refused", QUICK_MS);
    });

    it("a request-token endpoint answering 200 with a huge body", async (t) => {
      const url = serviceWithToken("rt-huge", "request", huge(HUGE_BYTES, { announce: false }));
      assertFailure(t, await submitForm(sidecar.url, url), 502, "request token refused", QUICK_MS);
    });

    for (const [name, route, within] of [
      ["never answers", hang, HEADERS_TIMEOUT_MS + MARGIN_MS],
      ["resets the connection", reset, QUICK_MS],
      [
        "answers a byte a second",
        aByteASecond("oauth_token=x&oauth_token_secret=y".padEnd(60)),
        TOTAL_TIMEOUT_MS + MARGIN_MS,
      ],
    ] as const) {
      it(`an access-token endpoint that ${name}: nobody subscribed`, async (t) => {
        const service = `at-${name.split(" ")[0]}`;
        const profile = serviceWithToken(service, "access", route);
        const started = await submitForm(sidecar.url, profile);
        assert.equal(started.status, 303, started.body);
        const a = await approve(sidecar.url, started, `rt-${service}`, {
          profile,
          nickname: "alice",
        });
        assertFailure(t, a, 502, "access token refused", within);
      });
    }
  });
});

describe("afterwards", () => {
  it("the sidecar is healthy, logged nothing unexpected, stored no subscriber, stayed small", async (t) => {
    const health = await fetch(new URL("healthz", sidecar.url), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(await health.text(), "ok");
    assert.doesNotMatch(sidecar.stderr(), /unexpected error|"level":(50|60)|Unhandled/i);
    const store = await openStore(sidecar.dataFile, { readOnly: true });
    try {
      const followers = await store.followers();
      const tokens = followers.map((s) => (s.protocol === "omb" ? s.credentials.token : ""));
      assert.ok(!tokens.includes(ACCESS_TOKEN.token), "no subscriber from a failed access token");
      assert.equal(followers.length, 0);
    } finally {
      await store.close();
    }
    const { rss, peak } = await memoryOf(sidecar.pid);
    t.diagnostic(
      `memory: ${rssBefore.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB, now ${rss.toFixed(0)} MiB`,
    );
    assert.ok(
      peak - rssBefore < MAX_GROWTH_MIB,
      `peak ${peak.toFixed(0)} MiB vs ${rssBefore.toFixed(0)} MiB before the hostile peers`,
    );
  });
});
