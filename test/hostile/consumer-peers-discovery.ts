// Hostile consumer peers, discovery: huge, slow, looping, lying or entity-laden profiles and XRDS.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  assertFailure,
  HEADERS_TIMEOUT_MS,
  HUGE_BYTES,
  MARGIN_MS,
  peer,
  profileWithXrds,
  QUICK_MS,
  sidecar,
  TOTAL_TIMEOUT_MS,
  trap,
} from "./consumer-peers-setup.js";
import { aByteASecond, answer, floodHeaders, hang, huge, redirect, xrdsOf } from "./peer.js";
import { submitForm } from "./visitor.js";

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`).join("")}]>
<XRDS xmlns="xri://$xrds">&lol9;</XRDS>`;

/** The profile and XRDS cases, run concurrently inside the caller's describe. */
export function hostileDiscoveryCases(): void {
  describe("hostile remote profiles and XRDS documents", { concurrency: true }, () => {
    it("a huge profile page without Content-Length: cut at 256 KiB", async (t) => {
      const url = peer.url("/huge-stream");
      peer.route("/huge-stream", huge(HUGE_BYTES, { announce: false }));
      const a = await submitForm(sidecar.url, url);
      assertFailure(t, a, 502, "no Yadis document", QUICK_MS);
      assert.match(a.body, /larger than the 262144 bytes read/);
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
}
