/** Unit tests of the subscribe form's Origin/Referer check. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkFormOrigin } from "./form-origin.js";

const OURS = ["https://site.example/", "https://federation.example:8443/omb/"];
const check = (origin?: string, referer?: string) => checkFormOrigin({ origin, referer }, OURS);

test("Origin of the site or of the sidecar is accepted", () => {
  assert.deepEqual(check("https://site.example"), { ok: true, by: "origin" });
  assert.deepEqual(check("https://federation.example:8443"), { ok: true, by: "origin" });
  assert.deepEqual(check("https://SITE.example:443"), { ok: true, by: "origin" });
});

test("any other Origin is refused, and a good Referer does not save it", () => {
  for (const origin of [
    "https://evil.example",
    "http://site.example",
    "https://site.example:8443",
    "https://federation.example",
    "https://site.example.evil.example",
    "",
    "garbage",
  ]) {
    assert.deepEqual(check(origin, "https://site.example/page"), {
      ok: false,
      sent: origin,
      header: "origin",
    });
  }
});

test("Origin: null is refused (sandboxed frames, data: and file: pages)", () => {
  assert.equal(check("null").ok, false);
  assert.equal(check("null", "https://site.example/").ok, false);
});

test("without Origin, the Referer's origin decides; with neither, the post is let through", () => {
  assert.deepEqual(check(undefined, "https://site.example/blog/post/?x=1"), {
    ok: true,
    by: "referer",
  });
  assert.deepEqual(check(undefined, "https://evil.example/https://site.example/"), {
    ok: false,
    sent: "https://evil.example/https://site.example/",
    header: "referer",
  });
  assert.equal(check(undefined, "null").ok, false);
  assert.equal(check(undefined, "data:text/html,x").ok, false);
  // Neither header: curl, the CLI, not a browser (which always sends Origin on a POST).
  assert.deepEqual(check(), { ok: true, by: "none" });
});
