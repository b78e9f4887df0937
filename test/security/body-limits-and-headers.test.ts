import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Browser } from "../helpers/remote-listenee-browser.js";
import { logIn, passwordHash } from "../helpers/remote-listenee-flow.js";
import { startTarget, type Target } from "../helpers/remote-listenee-target.js";

/**
 * Request body limits on every endpoint that reads a body (a 413 page naming the limit, the
 * body never read past it, also when it comes chunked without a length) and helmet's
 * security headers on every answer of the sidecar: pages, plain-text protocol answers,
 * redirects and errors (issue 6, part 4).
 */

let target: Target;
const owner = new Browser();

before(async () => {
  target = await startTarget({ passwordHash: await passwordHash(), hookSecret: "limits-secret" });
  const page = await logIn(owner, `${target.url}admin/login`);
  assert.equal(page.status, 303, page.body);
});

after(async () => {
  await target?.dispose();
});

/** Every POST endpoint and the body limit it declares. */
const BODY_LIMITS: [path: string, limit: number][] = [
  ["omb/subscribe", 4096],
  ["omb/requesttoken", 65536],
  ["omb/accesstoken", 65536],
  ["omb/postnotice", 65536],
  ["omb/updateprofile", 65536],
  ["omb/userauthorization", 65536],
  ["admin/login", 65536],
  ["admin/logout", 65536],
  ["admin/following/remove", 65536],
  ["hooks/deploy", 65536],
  ["hooks/command", 65536],
];

interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

async function send(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(new URL(path, target.url), {
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
    ...init,
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

function form(body: string | ReadableStream<Uint8Array>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
    // a stream body goes out chunked, without Content-Length
    ...(typeof body === "string" ? {} : { duplex: "half" }),
  } as RequestInit;
}

/** `bytes` of form text in 16 KiB chunks, as a stream (Transfer-Encoding: chunked). */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const n = Math.min(16384, bytes - sent);
      controller.enqueue(new TextEncoder().encode((sent === 0 ? "a=" : "").padEnd(n, "x")));
      sent += n;
    },
  });
}

describe("request body limits", () => {
  for (const [path, limit] of BODY_LIMITS) {
    it(`POST /${path}: one byte over ${limit} is a 413 page naming the limit`, async () => {
      const a = await send(path, form(`a=${"x".repeat(limit - 1)}`));
      assert.equal(a.status, 413, a.body.slice(0, 500));
      assert.match(a.body, /<title>Request too large<\/title>/);
      assert.match(a.body, new RegExp(`larger than the ${limit} bytes accepted`));
      assert.doesNotMatch(a.body, /\n\s+at \S|node_modules/);
    });
  }

  it("a 1 MiB chunked body without Content-Length: 413 too", async () => {
    for (const path of ["omb/postnotice", "omb/subscribe", "hooks/deploy"]) {
      const a = await send(path, form(chunked(1024 * 1024)));
      assert.equal(a.status, 413, `${path}: ${a.body.slice(0, 300)}`);
    }
  });

  it("a body at the limit is read (and refused for what it says, not its size)", async () => {
    const a = await send("omb/postnotice", form(`a=${"x".repeat(65536 - 2)}`));
    assert.equal(a.status, 403, a.body.slice(0, 300)); // no access token: revoked
  });
});

/** What every answer of the sidecar carries. */
function assertSecurityHeaders(what: string, h: Headers): void {
  const csp = h.get("content-security-policy") ?? "";
  for (const directive of [
    "default-src 'self'",
    "frame-ancestors 'self'",
    "object-src 'none'",
    "script-src 'self'",
    "base-uri 'self'",
  ]) {
    assert.ok(csp.includes(directive), `${what}: CSP lacks ${directive}: ${csp}`);
  }
  assert.equal(h.get("x-content-type-options"), "nosniff", what);
  assert.equal(h.get("referrer-policy"), "no-referrer", what);
  assert.equal(h.get("x-frame-options"), "SAMEORIGIN", what);
  assert.equal(h.get("x-powered-by"), null, what);
}

describe("security headers on every answer", () => {
  const cases: [what: string, path: string, init: RequestInit, status: number][] = [
    ["subscribe form", "omb/subscribe", {}, 200],
    ["subscribe refused", "omb/subscribe", form("profile_url=x"), 400],
    ["callback without a flow", "omb/finishsubscribe?oauth_token=x", {}, 403],
    ["login page", "admin/login", {}, 200],
    ["status page, not logged in (redirect)", "admin", {}, 303],
    ["authorize page, unknown token", "omb/userauthorization?oauth_token=x", {}, 400],
    ["authorize POST without CSRF", "omb/userauthorization", form("decision=accept"), 403],
    ["unfollow without CSRF", "admin/following/remove", form("uri=x"), 403],
    ["request token, unsigned (plain text)", "omb/requesttoken", form(""), 401],
    ["postNotice, unknown token (plain text)", "omb/postnotice", form("oauth_token=x"), 403],
    ["updateProfile, GET (plain text)", "omb/updateprofile", {}, 405],
    ["deploy hook, unsigned", "hooks/deploy", { method: "POST" }, 401],
    ["hook command, unsigned", "hooks/command", { method: "POST" }, 401],
    ["inbox.json, unsigned", "admin/inbox.json", {}, 401],
    ["unknown path", "no/such/page", {}, 404],
    ["too large", "omb/subscribe", form(`a=${"x".repeat(5000)}`), 413],
  ];
  for (const [what, path, init, status] of cases) {
    it(`${what}: ${status}`, async () => {
      const a = await send(path, init);
      assert.equal(a.status, status, a.body.slice(0, 500));
      assertSecurityHeaders(what, a.headers);
    });
  }

  it("the owner's status page, logged in: 200", async () => {
    const res = await fetch(`${target.url}admin`, {
      headers: { cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    assert.equal(res.status, 200);
    assertSecurityHeaders("status page", res.headers);
    assert.match(await res.text(), /Federation status/);
  });
});
