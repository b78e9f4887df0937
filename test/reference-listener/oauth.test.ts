import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  baseString,
  formDecode,
  hmacSha1,
  parseOAuthHeader,
  parseParams,
  rfc3986,
  signatureValid,
} from "./oauth.js";

/**
 * The reference listener's own OAuth, checked against the captures only (never against
 * protocol/omb/oauth.ts), so that it is known-good on its own.
 */

const fixtures = new URL("../fixtures/signatures/", import.meta.url);
const secrets: Record<string, string> = JSON.parse(
  readFileSync(new URL("token-secrets.json", fixtures), "utf8"),
);

interface Vector {
  method: string;
  signature: string;
  base: string;
}

function vectors(): Vector[] {
  const lines = readFileSync(new URL("signature-vectors.txt", fixtures), "utf8").split("\n");
  const out: Vector[] = [];
  lines.forEach((line, i) => {
    const head = /^(GET|POST)\s+\S+\s+token=\S+\s+sig=(\S+)\s+OK$/.exec(line);
    const base = /^\s+base string: (\S+)$/.exec(lines[i + 1] ?? "");
    if (head && base)
      out.push({ method: head[1] ?? "", signature: head[2] ?? "", base: base[1] ?? "" });
  });
  return out;
}

/** Undo the base string: `METHOD&enc(url)&enc(params)` → its parts (our own decoding). */
function unbase(base: string): { method: string; url: string; params: Record<string, string> } {
  const [method = "", url = "", params = ""] = base.split("&");
  return { method, url: formDecode(url), params: parseParams(formDecode(params)) };
}

describe("reference listener OAuth: signature-vectors.txt", () => {
  const all = vectors();
  it("reads all ten vectors", () => assert.equal(all.length, 10));
  for (const [n, v] of all.entries()) {
    const { method, url, params } = unbase(v.base);
    const secret = params.oauth_token ? secrets[params.oauth_token] : "";
    it(`#${n + 1} ${method} ${url}: base string, signature, verification`, () => {
      assert.equal(typeof secret, "string");
      assert.equal(baseString(method, url, params), v.base);
      assert.equal(hmacSha1(v.base, "", secret ?? ""), v.signature);
      const signed = { ...params, oauth_signature: v.signature };
      assert.ok(signatureValid(method, url, signed, secret ?? ""));
      assert.ok(!signatureValid(method, url, signed, `${secret}0`));
      assert.ok(!signatureValid(method === "GET" ? "POST" : "GET", url, signed, secret ?? ""));
      const tampered = { ...signed, oauth_nonce: `${params.oauth_nonce}0` };
      assert.ok(!signatureValid(method, url, tampered, secret ?? ""));
    });
  }
});

describe("reference listener OAuth: OMB.md §7 vector (query param in the URL)", () => {
  it("signs action=postnotice like Laconica 0.8.2", () => {
    const params = {
      action: "postnotice",
      oauth_consumer_key: "http://b.example/",
      oauth_nonce: "4572616e48616d6d65724c61686176",
      oauth_signature_method: "HMAC-SHA1",
      oauth_timestamp: "1230000000",
      oauth_token: "0123456789abcdef0123456789abcdef",
      oauth_version: "1.0",
      omb_version: "http://openmicroblogging.org/protocol/0.1",
      omb_listenee: "http://b.example/user/1",
      omb_notice: "http://b.example/notice/42",
      omb_notice_content: "Hello, world & friends",
    };
    const base = baseString("POST", "http://a.example:80/index.php", params);
    assert.ok(base.startsWith("POST&http%3A%2F%2Fa.example%2Findex.php&action%3Dpostnotice%26"));
    assert.equal(
      hmacSha1(base, "", "fedcba9876543210fedcba9876543210"),
      "71bYLvw3ZwhgP+n9eGtcZZLSnsQ=",
    );
  });
});

describe("reference listener OAuth: raw wire bodies", () => {
  const exchanges: { method: string; uri: string; body: string; status: number }[] = readFileSync(
    new URL("alice-8001-wire.jsonl", fixtures),
    "utf8",
  )
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));

  it("judges every signed body as the libomb provider did (only 'bad sig' fails)", () => {
    const signed = exchanges.filter((e) => e.body.includes("oauth_signature="));
    assert.equal(signed.length, 11);
    const failing = signed.filter((e) => {
      const params = parseParams(e.body);
      const secret = params.oauth_token ? (secrets[params.oauth_token] ?? "?") : "";
      return !signatureValid(e.method, `http://127.0.0.1:8001${e.uri}`, params, secret);
    });
    assert.deepEqual(
      failing.map((e) => parseParams(e.body).omb_notice_content),
      ["bad sig"],
    );
  });

  it("decodes UTF-8 and `+` from oauthlib, and re-encodes with %20", () => {
    const post = exchanges.find((e) => e.body.includes("omb_notice_content=Hello"));
    const content = parseParams(post?.body ?? "").omb_notice_content ?? "";
    assert.equal(content, "Hello from bob via libomb! & ünïcödé + 100% <ok>");
    assert.equal(
      rfc3986(content),
      "Hello%20from%20bob%20via%20libomb%21%20%26%20%C3%BCn%C3%AFc%C3%B6d%C3%A9%20%2B%20100%25%20%3Cok%3E",
    );
    assert.equal(parseParams("a=x+y&b=%2B&").a, "x y");
  });

  it("reads oauth_* params from an Authorization header, dropping realm", () => {
    const h = 'OAuth realm="x", oauth_token="a%2Fb", oauth_nonce="n1",omb_version="no"';
    assert.deepEqual(parseOAuthHeader(h), { oauth_token: "a/b", oauth_nonce: "n1" });
    assert.deepEqual(parseOAuthHeader("Basic abc"), {});
  });
});
