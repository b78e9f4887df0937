/** OAuth signing against captured vectors: OMB.md §7, two libomb instances, raw wire bodies. */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  encodeForm,
  parseForm,
  signatureBaseString,
  signRequest,
  verifySignature,
} from "./oauth.js";

const fixtures = new URL("../../test/fixtures/signatures/", import.meta.url);
const secrets: Record<string, string> = JSON.parse(
  readFileSync(new URL("token-secrets.json", fixtures), "utf8"),
);

/** One char changed at `i` (to a different char of the same class where possible). */
function mutate(s: string, i = Math.floor(s.length / 2)): string {
  const c = s[i] ?? "a";
  const next = c === "A" ? "B" : c === "0" ? "1" : c === "a" ? "b" : "A";
  return s.slice(0, i) + next + s.slice(i + 1);
}

describe("OMB.md §7 vector (Laconica 0.8.2 OAuth.php)", () => {
  const url = "http://a.example/index.php?action=postnotice";
  const params = {
    omb_version: "http://openmicroblogging.org/protocol/0.1",
    omb_listenee: "http://b.example/user/1",
    omb_notice: "http://b.example/notice/42",
    omb_notice_content: "Hello, world & friends",
  };
  const creds = {
    consumerKey: "http://b.example/",
    token: "0123456789abcdef0123456789abcdef",
    tokenSecret: "fedcba9876543210fedcba9876543210",
  };
  const opts = { nonce: "4572616e48616d6d65724c61686176", timestamp: 1230000000 };
  const expectedBase =
    "POST&http%3A%2F%2Fa.example%2Findex.php&action%3Dpostnotice%26oauth_consumer_key%3Dhttp%253A%252F%252Fb.example%252F%26oauth_nonce%3D4572616e48616d6d65724c61686176%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1230000000%26oauth_token%3D0123456789abcdef0123456789abcdef%26oauth_version%3D1.0%26omb_listenee%3Dhttp%253A%252F%252Fb.example%252Fuser%252F1%26omb_notice%3Dhttp%253A%252F%252Fb.example%252Fnotice%252F42%26omb_notice_content%3DHello%252C%2520world%2520%2526%2520friends%26omb_version%3Dhttp%253A%252F%252Fopenmicroblogging.org%252Fprotocol%252F0.1";

  it("reproduces the base string and the signature", () => {
    const signed = signRequest("POST", url, params, creds, opts);
    assert.equal(signatureBaseString("POST", url, signed), expectedBase);
    assert.equal(signed.oauth_signature, "71bYLvw3ZwhgP+n9eGtcZZLSnsQ=");
    assert.equal(signed.oauth_version, "1.0");
    assert.equal(signed.oauth_signature_method, "HMAC-SHA1");
    assert.equal(signed.oauth_token, creds.token);
  });

  it("keeps the query param in the URL, not in the result, and verifies", () => {
    const signed = signRequest("POST", url, params, creds, opts);
    assert.equal(signed.action, undefined);
    assert.ok(verifySignature("POST", url, signed, "", creds.tokenSecret));
    // The receiver may merge the query into the params and strip it from the URL.
    const merged = { ...signed, action: "postnotice" };
    assert.ok(verifySignature("POST", "http://a.example/index.php", merged, "", creds.tokenSecret));
    assert.ok(
      !verifySignature("POST", "http://a.example/index.php", signed, "", creds.tokenSecret),
    );
    assert.ok(!verifySignature("GET", url, signed, "", creds.tokenSecret));
  });
});

interface Vector {
  method: string;
  tokenPrefix: string;
  signature: string;
  base: string;
}

function readVectors(): Vector[] {
  const lines = readFileSync(new URL("signature-vectors.txt", fixtures), "utf8").split("\n");
  const vectors: Vector[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^(GET|POST)\s+(\S+)\s+token=(\S+)\s+sig=(\S+)\s+OK$/.exec(lines[i] ?? "");
    if (!head) continue;
    const baseLine = /^\s+base string: (\S+)$/.exec(lines[i + 1] ?? "");
    assert.ok(baseLine, `line ${i + 2} should hold the base string`);
    vectors.push({
      method: head[1] ?? "",
      tokenPrefix: head[3] ?? "",
      signature: head[4] ?? "",
      base: baseLine[1] ?? "",
    });
  }
  return vectors;
}

describe("signature-vectors.txt (two libomb instances)", () => {
  const vectors = readVectors();

  it("has all ten vectors", () => assert.equal(vectors.length, 10));

  for (const [n, v] of vectors.entries()) {
    const [method = "", encUrl = "", encParams = "", ...rest] = v.base.split("&");
    const url = decodeURIComponent(encUrl);
    const params = parseForm(decodeURIComponent(encParams));
    const token = params.oauth_token;
    const tokenSecret = token === undefined ? "" : secrets[token];

    describe(`#${n + 1} ${v.method} ${url}`, () => {
      it("parses into method, URL and params", () => {
        assert.equal(rest.length, 0);
        assert.equal(method, v.method);
        if (v.tokenPrefix === "-") assert.equal(token, undefined);
        else assert.ok(token?.startsWith(v.tokenPrefix), `token ${token} ~ ${v.tokenPrefix}`);
        assert.equal(typeof tokenSecret, "string", `secret for ${token} in token-secrets.json`);
      });

      it("HMAC-SHA1 of the captured base string gives the captured signature", () => {
        const key = `&${tokenSecret}`;
        assert.equal(createHmac("sha1", key).update(v.base).digest("base64"), v.signature);
      });

      it("signatureBaseString rebuilds the base string from the decoded params", () => {
        assert.equal(signatureBaseString(method, url, params), v.base);
      });

      it("signRequest with the same nonce/timestamp gives the same signature", () => {
        const { oauth_consumer_key, oauth_nonce, oauth_timestamp, ...rest } = params;
        const ombOnly = Object.fromEntries(
          Object.entries(rest).filter(([k]) => !k.startsWith("oauth_") || k === "oauth_callback"),
        );
        const signed = signRequest(
          method as "GET" | "POST",
          url,
          ombOnly,
          { consumerKey: oauth_consumer_key ?? "", token, tokenSecret },
          { nonce: oauth_nonce, timestamp: Number(oauth_timestamp) },
        );
        assert.equal(signed.oauth_signature, v.signature);
      });

      it("verifySignature accepts it and rejects any one-character change", () => {
        const secret = tokenSecret ?? "";
        const withSig = { ...params, oauth_signature: v.signature };
        assert.ok(verifySignature(method, url, withSig, "", secret));
        const badSig = { ...withSig, oauth_signature: mutate(v.signature) };
        assert.ok(!verifySignature(method, url, badSig, "", secret));
        const badNonce = { ...withSig, oauth_nonce: mutate(params.oauth_nonce ?? "") };
        assert.ok(!verifySignature(method, url, badNonce, "", secret));
        assert.ok(!verifySignature(method, url, withSig, "", mutate(secret, 0)));
        assert.ok(!verifySignature(method, `${url}x`, withSig, "", secret));
        assert.ok(!verifySignature(method, url, withSig, "x", secret));
      });
    });
  }
});

describe("raw wire bodies (alice-8001-wire.jsonl)", () => {
  interface Exchange {
    method: string;
    uri: string;
    body: string;
    status: number;
  }
  const exchanges: Exchange[] = readFileSync(new URL("alice-8001-wire.jsonl", fixtures), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
  const signed = exchanges.filter((e) => e.body.includes("oauth_signature="));

  it("libomb bodies are exactly encodeForm of their parsed params (sorted, %20)", () => {
    const libomb = signed.filter((e) => e.body.startsWith("oauth_consumer_key="));
    assert.ok(libomb.length >= 8);
    for (const e of libomb) assert.equal(encodeForm(parseForm(e.body)), e.body);
  });

  it("the unicode notice decodes and re-encodes byte for byte", () => {
    const post = signed.find((e) => e.body.includes("omb_notice_content=Hello"));
    assert.ok(post);
    const params = parseForm(post.body);
    assert.equal(params.omb_notice_content, "Hello from bob via libomb! & ünïcödé + 100% <ok>");
    assert.ok(
      encodeForm({ omb_notice_content: params.omb_notice_content ?? "" }) ===
        "omb_notice_content=Hello%20from%20bob%20via%20libomb%21%20%26%20%C3%BCn%C3%AFc%C3%B6d%C3%A9%20%2B%20100%25%20%3Cok%3E",
    );
  });

  it("verifies every signed POST body the way the libomb provider judged it", () => {
    const verdicts = signed.map((e) => {
      const params = parseForm(e.body);
      const secret = params.oauth_token === undefined ? "" : (secrets[params.oauth_token] ?? "?");
      const ok = verifySignature(e.method, `http://127.0.0.1:8001${e.uri}`, params, "", secret);
      return { content: params.omb_notice_content, status: e.status, ok };
    });
    assert.equal(verdicts.length, 11);
    // oauthlib's body (unsorted, `+` for spaces) is valid; "bad sig" is not; the post after
    // unsubscribing is correctly signed but its token was revoked (403 for that reason).
    assert.deepEqual(
      verdicts.filter((v) => !v.ok).map((v) => v.content),
      ["bad sig"],
    );
    assert.ok(verdicts.some((v) => v.content === "signed by oauthlib" && v.ok));
  });

  it("verifies the signed authorize redirects with their query left in the URL", () => {
    const gets = exchanges.filter((e) => e.uri.startsWith("/userauthorization?"));
    assert.equal(gets.length, 2);
    for (const e of gets) {
      const url = `http://127.0.0.1:8001${e.uri}`;
      const params = parseForm(e.uri.slice(e.uri.indexOf("?") + 1));
      const secret = secrets[params.oauth_token ?? ""] ?? "?";
      assert.ok(verifySignature("GET", url, params, "", secret));
      assert.ok(
        verifySignature(
          "GET",
          url,
          { oauth_signature: params.oauth_signature ?? "", oauth_signature_method: "HMAC-SHA1" },
          "",
          secret,
        ),
      );
    }
  });

  it("OMB.md §10.3's request-token body (another run) verifies with key '&'", () => {
    const params = {
      oauth_consumer_key: "http://127.0.0.1:8002/",
      oauth_nonce: "a1a5705681722fabf527e7ee5176d781",
      oauth_signature: "ZIp9z5EzcA0R2QaehBTba5C873g=",
      oauth_signature_method: "HMAC-SHA1",
      oauth_timestamp: "1795511379",
      oauth_version: "1.0",
      omb_listener: "http://127.0.0.1:8001/user/1",
      omb_version: "http://openmicroblogging.org/protocol/0.1",
    };
    assert.ok(verifySignature("POST", "http://127.0.0.1:8001/requesttoken", params, "", ""));
  });
});
