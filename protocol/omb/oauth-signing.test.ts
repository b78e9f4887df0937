/** signRequest / verifySignature edge cases: no token, nonces, consumer secret, tampering. */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  encodeForm,
  newNonce,
  parseForm,
  signatureBaseString,
  signRequest,
  verifySignature,
} from "./oauth.js";

describe("signRequest / verifySignature details", () => {
  const url = "http://a.example/updateprofile";

  it("leaves out oauth_token without a token, and key is '&'", () => {
    const signed = signRequest(
      "POST",
      url,
      { omb_version: "v" },
      { consumerKey: "http://b.example/" },
    );
    assert.equal(signed.oauth_token, undefined);
    assert.ok(verifySignature("POST", url, signed, "", ""));
    const expected = createHmac("sha1", "&")
      .update(signatureBaseString("POST", url, signed))
      .digest("base64");
    assert.equal(signed.oauth_signature, expected);
  });

  it("makes a fresh 32-hex nonce and a current timestamp by default", () => {
    const a = signRequest("POST", url, {}, { consumerKey: "k" });
    const b = signRequest("POST", url, {}, { consumerKey: "k" });
    assert.match(a.oauth_nonce ?? "", /^[0-9a-f]{32}$/);
    assert.notEqual(a.oauth_nonce, b.oauth_nonce);
    assert.ok(Math.abs(Number(a.oauth_timestamp) - Date.now() / 1000) < 5);
    assert.match(newNonce(), /^[0-9a-f]{32}$/);
  });

  it("uses the consumer secret when one is given", () => {
    const signed = signRequest(
      "POST",
      url,
      {},
      { consumerKey: "k", consumerSecret: "c s", tokenSecret: "t" },
    );
    assert.ok(verifySignature("POST", url, signed, "c s", "t"));
    assert.ok(!verifySignature("POST", url, signed, "", "t"));
  });

  it("rejects a missing signature, another method, a truncated or lengthened signature", () => {
    const signed = signRequest("POST", url, {}, { consumerKey: "k" });
    const sig = signed.oauth_signature ?? "";
    const { oauth_signature: _, ...unsigned } = signed;
    assert.ok(!verifySignature("POST", url, unsigned, "", ""));
    assert.ok(
      !verifySignature("POST", url, { ...signed, oauth_signature_method: "PLAINTEXT" }, "", ""),
    );
    assert.ok(!verifySignature("POST", url, { ...signed, oauth_signature: sig.slice(1) }, "", ""));
    assert.ok(!verifySignature("POST", url, { ...signed, oauth_signature: `${sig}=` }, "", ""));
    assert.ok(!verifySignature("POST", url, { ...signed, oauth_signature: "" }, "", ""));
  });

  it("returns false (no throw) for a lone surrogate in a param", () => {
    const signed = signRequest("POST", url, {}, { consumerKey: "k" });
    assert.equal(verifySignature("POST", url, { ...signed, x: "\ud800" }, "", ""), false);
  });

  it("signs any params: sign → verify for random input", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: "binary", minLength: 1 }), fc.string({ unit: "binary" })),
        fc.string({ unit: "binary" }),
        (params, tokenSecret) => {
          const signed = signRequest("POST", url, params, {
            consumerKey: "k",
            token: "t",
            tokenSecret,
          });
          return verifySignature("POST", url, parseForm(encodeForm(signed)), "", tokenSecret);
        },
      ),
      { numRuns: 200 },
    );
  });
});
