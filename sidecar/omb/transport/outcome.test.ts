import assert from "node:assert/strict";
import { test } from "node:test";
import { OMB_SUCCESS_BODY } from "../../../protocol/omb/constants.js";
import { FetchError } from "../../net/client.js";
import { classifyError, classifyResponse } from "./outcome.js";

const res = (status: number, body = "", headers: Record<string, string> = {}) => ({
  status,
  body,
  headers,
  url: "http://r.example/postnotice",
});

test("200 with the literal success text anywhere in the body is delivered (libomb's check)", () => {
  assert.deepEqual(classifyResponse(res(200, OMB_SUCCESS_BODY)), { kind: "delivered" });
  assert.deepEqual(classifyResponse(res(200, `\n${OMB_SUCCESS_BODY}&x=1\n`)), {
    kind: "delivered",
  });
});

test("200 without the success text is retried and says what came back", () => {
  const encoded = "omb_version=http%3A%2F%2Fopenmicroblogging.org%2Fprotocol%2F0.1";
  for (const body of ["", "ok", encoded]) {
    const o = classifyResponse(res(200, body));
    assert.equal(o.kind, "retry");
    assert.match(o.kind === "retry" ? o.error : "", /HTTP 200 without/);
  }
});

test("403 revokes; 5xx, 408, 429 and 3xx retry; other 4xx refuse the entry for good", () => {
  assert.deepEqual(classifyResponse(res(403, "Revoked accesstoken")), {
    kind: "revoked",
    status: 403,
    body: "Revoked accesstoken",
  });
  for (const s of [500, 502, 503, 408, 429, 301, 302]) {
    assert.equal(classifyResponse(res(s, "x")).kind, "retry", String(s));
  }
  for (const s of [400, 401, 404, 410, 413]) {
    const o = classifyResponse(res(s, "Invalid notice"));
    assert.equal(o.kind, "refused", String(s));
    assert.match(o.kind === "refused" ? o.error : "", new RegExp(`HTTP ${s}: Invalid notice`));
  }
});

test("Retry-After on 429 and 503 is kept; long bodies are cut in errors", () => {
  const o = classifyResponse(res(429, "", { "retry-after": "7" }));
  assert.equal(o.kind === "retry" ? o.retryAfterMs : -1, 7000);
  const long = classifyResponse(res(500, "x".repeat(5000)));
  assert.ok(long.kind === "retry" && long.error.length < 400);
});

test("network failures retry; programming errors are not swallowed", () => {
  const o = classifyError(new FetchError("timeout", "http://r.example/", "no answer"));
  assert.equal(o.kind, "retry");
  assert.throws(() => classifyError(new TypeError("bug")), TypeError);
});

test('StatusNet\'s 500 "Duplicate notice" (a resend after a crash) counts as delivered', () => {
  assert.deepEqual(classifyResponse(res(500, "<p>Duplicate notice</p>")), { kind: "delivered" });
  assert.equal(classifyResponse(res(500, "Database error")).kind, "retry");
  assert.equal(
    classifyResponse(res(502, "Duplicate notice")).kind,
    "retry",
    "only StatusNet's 500",
  );
});
