import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { writeXrds } from "../protocol/omb/xrds-write.js";
import { readStore } from "./helpers/read-store.js";
import type { Browser, Visit } from "./reference-listener/browser.js";
import {
  SITE_URL,
  type SidecarProcess,
  siteBrowser,
  startSidecarProcess,
} from "./reference-listener/sidecar-process.js";
import {
  type Modes,
  type ReferenceListener,
  startReferenceListener,
} from "./reference-listener/spawn.js";

/**
 * Every way a remote subscribe can fail ends in a page naming the step, with the right
 * status, never a stack trace (issue 3). Real processes on loopback, as in subscribe.test.ts.
 */

const SUBSCRIBE = `${SITE_URL}omb/subscribe`;
const FINISH = `${SITE_URL}omb/finishsubscribe`;

let listener: ReferenceListener;
let sidecar: SidecarProcess;
/** allowPrivateNetworks false: the SSRF guard is on. */
let guarded: SidecarProcess;
/** Its siteUrl is the listener's own base URL: every listener profile is "ours". */
let selfish: SidecarProcess;
/** Its manifest file does not exist: it has no profile to send. */
let unbuilt: SidecarProcess;

before(async () => {
  listener = await startReferenceListener({ users: ["alice"] });
  [sidecar, guarded, selfish, unbuilt] = await Promise.all([
    startSidecarProcess(),
    startSidecarProcess({ config: { allowPrivateNetworks: false } }),
    startSidecarProcess({ config: { siteUrl: `${listener.url}/` } }),
    startSidecarProcess({ config: { manifest: "missing/manifest.json" } }),
  ]);
});
after(async () => {
  await Promise.all([listener, sidecar, guarded, selfish, unbuilt].map((p) => p?.stop()));
});

const browser = (s: SidecarProcess = sidecar): Browser => siteBrowser(s);

/** Sets listener modes for one test, and back to the defaults afterwards. */
async function withModes(modes: Partial<Modes>, fn: () => Promise<void>): Promise<void> {
  await listener.control(modes);
  try {
    await fn();
  } finally {
    await listener.control({
      authorize: "approve",
      requestToken: "ok",
      accessToken: "ok",
      discovery: "ok",
    });
  }
}

function assertPage(v: Visit, status: number, step: string): void {
  assert.equal(v.status, status, v.body);
  assert.match(v.headers.get("content-type") ?? "", /^text\/html/);
  assert.ok(v.body.includes(`Step that failed: ${step}</p>`), `step "${step}" in:\n${v.body}`);
  assert.doesNotMatch(v.body, /node_modules|\n\s+at |Error:/, "no stack trace");
}

const start = (profileUrl: string, b = browser()) =>
  b.postForm(SUBSCRIBE, { profile_url: profileUrl });

/** Form → authorize → callback; returns the callback's answer. */
async function walk(b = browser()): Promise<Visit> {
  const first = await start(listener.profileUrl("alice"), b);
  assert.equal(first.status, 303, first.body);
  const authorize = await b.follow(first);
  assert.equal(authorize.status, 303, authorize.body);
  return b.follow(authorize);
}

function subscriberCount(s: SidecarProcess): Promise<number> {
  return readStore(s.dataFile, async (store) => (await store.followers()).length);
}

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
