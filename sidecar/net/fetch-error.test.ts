import assert from "node:assert/strict";
import { test } from "node:test";
import { FetchError, toFetchError } from "./fetch-error.js";

const limits = { connectTimeoutMs: 1, headersTimeoutMs: 1, bodyTimeoutMs: 1, totalTimeoutMs: 1 };
const withCode = (code: string) => Object.assign(new Error(`boom ${code}`), { code });

test("every system or certificate code is the peer's or the network's failure, not a bug", () => {
  for (const code of [
    "EHOSTDOWN",
    "ENETDOWN",
    "ETIMEDOUT",
    "CERT_NOT_YET_VALID",
    "CERT_REVOKED",
    "INVALID_CA",
  ]) {
    const e = toFetchError(withCode(code), "https://r.example/", limits);
    assert.ok(e instanceof FetchError, code);
    assert.match(e.message, new RegExp(code));
  }
});

test("Node's own ERR_* codes and code-less errors are programming errors: rethrown", () => {
  assert.throws(
    () => toFetchError(withCode("ERR_INVALID_ARG_TYPE"), "https://r.example/", limits),
    /boom/,
  );
  assert.throws(() => toFetchError(new TypeError("bug"), "https://r.example/", limits), TypeError);
});
