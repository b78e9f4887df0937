// Subscribe failures on the visitor's side: the form, what was typed (400), their service (502).
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import {
  assertPage,
  browser,
  listener,
  SUBSCRIBE,
  selfish,
  setUpSubscribeFailures,
  sidecar,
  start,
  subscriberCount,
  walk,
  withModes,
} from "./subscribe-failures-setup.js";

/**
 * Every way a remote subscribe can fail ends in a page naming the step, with the right
 * status, never a stack trace (issue 3). Real processes on loopback, as in subscribe.test.ts.
 */

setUpSubscribeFailures();

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe("subscribe form", () => {
  it("GET shows a small form posting profile_url", async () => {
    const v = await browser().get(`${SUBSCRIBE}?profile_url=${encodeURIComponent('"><x>')}`);
    assert.equal(v.status, 200);
    assert.match(v.body, /<form method="post">/);
    assert.match(v.body, /name="profile_url"/);
    assert.ok(v.body.includes('value="&quot;&gt;&lt;x&gt;"'), "prefill escaped");
  });
});

describe("subscribe failures: what the visitor typed (400)", () => {
  for (const [what, value] of [
    ["nothing", ""],
    ["words", "my profile"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["an ftp URL", "ftp://example.com/alice"],
  ] as const) {
    it(`not a URL: ${what}`, async () => assertPage(await start(value), 400, "not a URL"));
  }

  it("a form without the field, or not urlencoded", async () => {
    assertPage(await browser().postForm(SUBSCRIBE, {}), 400, "not a URL");
    const json = await browser().send(SUBSCRIBE, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ profile_url: listener.profileUrl("alice") }),
    });
    assertPage(json, 400, "not a URL");
  });

  it("a body over the size limit is a 413 page, not a 500", async () => {
    const v = await start(`http://example.com/${"a".repeat(10_000)}`);
    assertPage(v, 413, "reading the request");
  });

  it("a page that is not an OMB profile: no Yadis document", async () => {
    await withModes({ discovery: "no-yadis" }, async () => {
      assertPage(await start(listener.profileUrl("alice")), 400, "no Yadis document");
    });
  });

  it("this site itself: refused before any token is asked for", async () => {
    const before = (await listener.seen()).requests.length;
    assertPage(await start(listener.profileUrl("alice"), browser(selfish)), 400, "own site");
    const after = (await listener.seen()).requests.slice(before);
    assert.ok(!after.some((r) => r.path === "/requesttoken"));
  });
});

describe("subscribe failures: the visitor's service (502)", () => {
  it("unreachable profile: no Yadis document", async () => {
    const v = await start(`http://127.0.0.1:${await closedPort()}/alice`);
    assertPage(v, 502, "no Yadis document");
    assert.match(v.body, /could not be loaded/);
  });

  it("profile page answering 404: no Yadis document", async () => {
    assertPage(await start(listener.profileUrl("nobody")), 502, "no Yadis document");
  });

  it("XRDS location answering 404: no XRDS", async () => {
    await withModes({ discovery: "no-xrds" }, async () => {
      assertPage(await start(listener.profileUrl("alice")), 502, "no XRDS");
    });
  });

  it("XRDS without postNotice: missing services", async () => {
    await withModes({ discovery: "missing-services" }, async () => {
      assertPage(await start(listener.profileUrl("alice")), 502, "missing services");
    });
  });

  for (const mode of ["500", "empty"] as const) {
    it(`request token answered ${mode}: request token refused`, async () => {
      await withModes({ requestToken: mode }, async () => {
        const v = await start(listener.profileUrl("alice"));
        assertPage(v, 502, "request token refused");
        assert.equal(v.setCookies.length, 0, "no flow cookie for a flow that never started");
      });
    });

    it(`access token answered ${mode}: access token refused, nobody stored`, async () => {
      await withModes({ accessToken: mode }, async () => {
        const before = await subscriberCount(sidecar);
        assertPage(await walk(), 502, "access token refused");
        assert.equal(await subscriberCount(sidecar), before);
      });
    });
  }

  it("a callback with the wrong omb_version: invalid callback", async () => {
    await withModes({ authorize: "approve-wrong-version" }, async () => {
      assertPage(await walk(), 502, "invalid callback");
    });
  });
});
