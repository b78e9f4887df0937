// Subscribe failures on our checks: callback mismatch (403), the SSRF guard, our own side (503).
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { describe, it } from "node:test";
import { writeXrds } from "../protocol/omb/xrds-write.js";
import type { Visit } from "./reference-listener/browser.js";
import {
  assertPage,
  browser,
  FINISH,
  guarded,
  listener,
  setUpSubscribeFailures,
  sidecar,
  start,
  subscriberCount,
  unbuilt,
  walk,
  withModes,
} from "./subscribe-failures-setup.js";

setUpSubscribeFailures();

describe("subscribe failures: callback mismatch (403)", () => {
  it("a callback that names another request token", async () => {
    await withModes({ authorize: "approve-wrong-token" }, async () => {
      assertPage(await walk(), 403, "callback mismatch");
    });
  });

  it("a callback in a browser that did not start the flow (no cookie)", async () => {
    const b = browser();
    const authorize = await b.follow(await start(listener.profileUrl("alice"), b));
    assertPage(await browser().follow(authorize), 403, "callback mismatch");
    // the flow is still usable by the right browser
    assert.equal((await b.follow(authorize)).status, 200);
  });

  it("a forged cookie (signature broken)", async () => {
    const b = browser();
    const authorize = await b.follow(await start(listener.profileUrl("alice"), b));
    const jar = b.cookies.get("site.example");
    const value = jar?.get("omb_subscribe") ?? "";
    jar?.set(
      "omb_subscribe",
      value.replace(/.$/, (c) => (c === "A" ? "B" : "A")),
    );
    assertPage(await b.follow(authorize), 403, "callback mismatch");
  });

  it("the cookie of another flow", async () => {
    const a = browser();
    const b = browser();
    const authA = await a.follow(await start(listener.profileUrl("alice"), a));
    await b.follow(await start(listener.profileUrl("alice"), b));
    assertPage(await b.follow(authA), 403, "callback mismatch");
  });

  it("a bare callback with no flow in progress", async () => {
    assertPage(await browser().get(FINISH), 403, "callback mismatch");
    assertPage(await browser().get(`${FINISH}?oauth_token=abc&`), 403, "callback mismatch");
  });
});

describe("subscribe failures: the SSRF guard", () => {
  it("with allowPrivateNetworks false, a loopback profile URL is refused without a fetch", async () => {
    const before = (await listener.seen()).requests.length;
    const v = await start(listener.profileUrl("alice"), browser(guarded));
    assertPage(v, 400, "address refused");
    assert.equal((await listener.seen()).requests.length, before, "the listener saw nothing");
  });

  it("also for private and link-local literals", async () => {
    for (const url of [
      "http://10.0.0.1/alice",
      "http://169.254.169.254/latest",
      "http://[::1]/x",
    ]) {
      const v = await start(url, browser(guarded));
      assert.ok([400].includes(v.status), `${url}: ${v.status}`);
      assert.match(v.body, /Step that failed: (address refused|not a URL)/);
    }
  });
});

describe("subscribe failures: our own side (503)", () => {
  it("another service naming a subscriber's identifier cannot take the subscription over", async () => {
    const b = browser();
    const done = await walk(b);
    assert.equal(done.status, 200, done.body);
    const before = await subscriberCount(sidecar);
    // An impostor's profile and XRDS: alice's identifier, the impostor's own endpoints.
    const impostor = createHttpServer((req, res) => {
      const base = `http://127.0.0.1:${(impostor.address() as { port: number }).port}`;
      if (req.url === "/xrds") {
        res.writeHead(200, { "content-type": "application/xrds+xml" });
        res.end(
          writeXrds({
            localId: listener.userUri(1),
            request: `${base}/requesttoken`,
            authorize: `${base}/authorize`,
            access: `${base}/accesstoken`,
            postNotice: `${base}/postnotice`,
            updateProfile: `${base}/updateprofile`,
          }),
        );
      } else if (req.url === "/requesttoken") {
        res.end("oauth_token=a&oauth_token_secret=b");
      } else {
        res.writeHead(200, { "x-xrds-location": `${base}/xrds`, "content-type": "text/html" });
        res.end("<html></html>");
      }
    });
    await new Promise<void>((r) => impostor.listen(0, "127.0.0.1", r));
    try {
      const port = (impostor.address() as { port: number }).port;
      assertPage(await start(`http://127.0.0.1:${port}/alice`), 409, "identifier taken");
      assert.equal(await subscriberCount(sidecar), before, "the real subscription is untouched");
    } finally {
      impostor.close();
    }
  });

  it("no manifest to read our profile from: site profile", async () => {
    assertPage(await start(listener.profileUrl("alice"), browser(unbuilt)), 503, "site profile");
  });

  it("too many attempts from one client: 429 (each attempt costs remote fetches)", async () => {
    let allowed = 0;
    let last: Visit | undefined;
    for (let i = 0; i < 70; i++) {
      last = await start("", browser(unbuilt));
      if (last.status === 429) break;
      allowed++;
    }
    assert.ok(last);
    assertPage(last, 429, "too many attempts");
    assert.ok(allowed >= 55 && allowed <= 60, `allowed ${allowed}`);
  });
});
