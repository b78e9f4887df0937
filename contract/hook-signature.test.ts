import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  HOOK_SIGNATURE_HEADER,
  HOOK_TIMESTAMP_HEADER,
  signHook,
  verifyHook,
} from "./hook-signature.js";

describe("hook signature", () => {
  const now = 1_800_000_000;
  const headers = signHook("s3cret", '{"a":1}', now);
  const ts = headers[HOOK_TIMESTAMP_HEADER];
  const sig = headers[HOOK_SIGNATURE_HEADER];

  it("accepts its own signature", () => {
    assert.deepEqual(verifyHook("s3cret", '{"a":1}', ts, sig, now + 10), {
      ok: true,
      timestamp: now,
    });
  });
  it("refuses another body, another secret, a stale or future timestamp, and junk headers", () => {
    assert.equal(verifyHook("s3cret", '{"a":2}', ts, sig, now).ok, false);
    assert.equal(verifyHook("other", '{"a":1}', ts, sig, now).ok, false);
    assert.equal(verifyHook("s3cret", '{"a":1}', ts, sig, now + 301).ok, false);
    assert.equal(verifyHook("s3cret", '{"a":1}', ts, sig, now - 301).ok, false);
    assert.equal(verifyHook("s3cret", '{"a":1}', undefined, sig, now).ok, false);
    assert.equal(verifyHook("s3cret", '{"a":1}', ts, "sha256=zz", now).ok, false);
    assert.equal(verifyHook("s3cret", '{"a":1}', "1e9", sig, now).ok, false);
    assert.equal(
      verifyHook("s3cret", '{"a":1}', String(now + 1), sig, now).ok,
      false,
      "timestamp is signed",
    );
  });
});
