/** The subscribe form's CSRF check against a real sidecar process: Origin, else Referer. */
// Issue 9 item 7: the form posted from another site is refused with a 403 page; from the
// site or from the sidecar's own form page it is accepted, and so is a client that sends
// neither header (curl, not a browser).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  SITE_URL,
  type SidecarProcess,
  startSidecarProcess,
} from "./reference-listener/sidecar-process.js";

const PUBLIC_URL = "http://federation.example:8080/omb-sidecar/";
/** Exactly the accepted posts below: a refused post that used up an attempt shows as a 429. */
const MAX_ATTEMPTS = 5;

let sidecar: SidecarProcess;

before(async () => {
  sidecar = await startSidecarProcess({
    config: { publicUrl: PUBLIC_URL, subscribe: { maxAttempts: MAX_ATTEMPTS } },
  });
});
after(async () => {
  await sidecar?.stop();
});

/** POSTs the form with "not a URL" as the profile: past the origin check it answers 400. */
async function post(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(new URL("omb/subscribe", sidecar.url), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: "profile_url=not-a-url",
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}

const stepOf = (body: string) => /Step that failed: ([^<]+)</.exec(body)?.[1];

function assertRefused(a: { status: number; body: string }): void {
  assert.equal(a.status, 403, a.body);
  assert.equal(stepOf(a.body), "form origin");
  assert.match(a.body, /The form must be posted from the site itself/);
}

function assertPassed(a: { status: number; body: string }): void {
  assert.equal(a.status, 400, a.body);
  assert.equal(stepOf(a.body), "not a URL");
}

describe("the subscribe POST and where it was posted from", () => {
  it("refuses another site's Origin, using up none of the visitor's attempts", async () => {
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      const a = await post({ origin: "https://evil.example", referer: `${SITE_URL}blog/` });
      assertRefused(a);
      assert.match(
        a.body,
        /posted from https:\/\/evil\.example, not from http:\/\/site\.example or http:\/\/federation\.example:8080\./,
      );
    }
    assertPassed(await post({ origin: "http://site.example" }));
  });

  it("refuses Origin: null", async () => {
    const a = await post({ origin: "null", referer: SITE_URL });
    assertRefused(a);
    assert.match(a.body, /Origin: null/);
  });

  it("without Origin, refuses another site's Referer and accepts the site's", async () => {
    assertRefused(await post({ referer: "https://evil.example/page.html" }));
    assertPassed(await post({ referer: `${SITE_URL}about/?x=1` }));
  });

  it("accepts the sidecar's own origin, not the same host on another port", async () => {
    assertPassed(await post({ origin: "http://federation.example:8080" }));
    assertRefused(await post({ origin: "http://federation.example" }));
  });

  it("accepts a post with neither header (not a browser), not one with an empty Origin", async () => {
    assertRefused(await post({ origin: "" }));
    assertPassed(await post({}));
  });
});
