/** OAuth encoding details: the base-string URL, form encoding, the Authorization header. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import OAuth from "oauth-1.0a";
import {
  encodeForm,
  OAuthUrlError,
  parseAuthorizationHeader,
  parseForm,
  percentEncode,
  signRequest,
  splitSigningUrl,
  verifySignature,
} from "./oauth.js";

describe("base-string URL", () => {
  const base = (url: string) => splitSigningUrl(url).baseUrl;

  it("drops only the default port of the scheme", () => {
    assert.equal(base("http://h.example:80/p"), "http://h.example/p");
    assert.equal(base("https://h.example:443/p"), "https://h.example/p");
    assert.equal(base("http://h.example:443/p"), "http://h.example:443/p");
    assert.equal(base("https://h.example:80/p"), "https://h.example:80/p");
    assert.equal(base("http://127.0.0.1:8001/postnotice"), "http://127.0.0.1:8001/postnotice");
    assert.equal(base("HTTP://h.example:80/p"), "HTTP://h.example/p");
    assert.equal(base("http://h.example:/p"), "http://h.example/p");
    assert.equal(base("http://[::1]:80/p"), "http://[::1]/p");
    assert.equal(base("http://[::1]:8080/p"), "http://[::1]:8080/p");
  });

  it("keeps case and path exactly, drops userinfo, query and fragment", () => {
    assert.equal(base("http://Example.COM/A/b%7e?x=1#f"), "http://Example.COM/A/b%7e");
    assert.equal(base("http://u:p@h.example/p"), "http://h.example/p");
    assert.equal(base("http://h.example"), "http://h.example");
  });

  it("the port rule reaches the signature", () => {
    const creds = { consumerKey: "http://b.example/", token: "t", tokenSecret: "s" };
    const opts = { nonce: "n", timestamp: 1 };
    const a = signRequest("POST", "https://h.example:443/p", {}, creds, opts);
    const b = signRequest("POST", "https://h.example/p", {}, creds, opts);
    const c = signRequest("POST", "https://h.example:8443/p", {}, creds, opts);
    assert.equal(a.oauth_signature, b.oauth_signature);
    assert.notEqual(b.oauth_signature, c.oauth_signature);
    assert.ok(verifySignature("POST", "https://h.example/p", a, "", "s"));
  });

  it("rejects relative or hostless URLs", () => {
    for (const u of ["/postnotice", "tag:example.org,2009:1", "http:///p", ""]) {
      assert.throws(() => splitSigningUrl(u), OAuthUrlError, u);
    }
  });
});

describe("form encoding", () => {
  it("uses %20 for spaces and %2B for plus, never +", () => {
    assert.equal(encodeForm({ b: "x y+z", a: "" }), "a=&b=x%20y%2Bz");
    assert.equal(percentEncode("!*'()~-._ "), "%21%2A%27%28%29~-._%20");
  });

  it("matches oauth-1.0a's percentEncode", () => {
    const lib = new OAuth({ consumer: { key: "", secret: "" } });
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => percentEncode(s) === lib.percentEncode(s)),
    );
  });

  it("parseForm inverts encodeForm", () => {
    const key = fc.string({ unit: "binary", minLength: 1 }).filter((k) => k !== "__proto__");
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.string({ unit: "binary" }), { noNullPrototype: true }),
        (p) => {
          assert.deepEqual(parseForm(encodeForm(p)), p);
        },
      ),
    );
  });

  it("parseForm is tolerant", () => {
    assert.deepEqual(parseForm("a=1&&b=x+y&c&"), { a: "1", b: "x y", c: "" });
    assert.deepEqual(parseForm("a=100%&b=%zz%C3%BC%C3&c=%E2%82"), {
      a: "100%",
      b: "%zzü%C3",
      c: "%E2%82",
    });
    assert.deepEqual(parseForm("a=%ED%A0%80x"), { a: "%ED%A0%80x" });
    assert.deepEqual(parseForm("=v&k="), { "": "v", k: "" });
    assert.deepEqual(parseForm(""), {});
  });

  it("parseForm: on a repeated name the last value wins (PHP $_POST)", () => {
    assert.deepEqual(parseForm("a=1&a=2&b=3"), { a: "2", b: "3" });
  });

  it("parseForm keeps a __proto__ name as data", () => {
    const p = parseForm("__proto__=x&a=1");
    assert.equal(Object.getPrototypeOf(p), Object.prototype);
    assert.deepEqual(Object.entries(p), [
      ["__proto__", "x"],
      ["a", "1"],
    ]);
  });
});

describe("parseAuthorizationHeader", () => {
  const creds = { consumerKey: "http://b.example/", token: "tok", tokenSecret: "sec" };

  it("round-trips oauth-1.0a's header (realm dropped) and verifies", () => {
    const url = "http://a.example/postnotice";
    const body = { omb_notice_content: "hi, there + ünï" };
    const signed = signRequest("POST", url, body, creds);
    const oauthOnly = Object.fromEntries(
      Object.entries(signed).filter(([k]) => k.startsWith("oauth_")),
    );
    const lib = new OAuth({ consumer: { key: "", secret: "" }, realm: "http://a.example/" });
    const header = lib.toHeader(oauthOnly as unknown as OAuth.Authorization).Authorization;
    const parsed = parseAuthorizationHeader(header);
    assert.deepEqual(parsed, oauthOnly);
    assert.ok(verifySignature("POST", url, { ...body, ...parsed }, "", "sec"));
  });

  it("tolerates spacing, case and unquoted values; keeps + literal", () => {
    const h =
      ' oauth   realm = "" ,oauth_token="a%20b",oauth_nonce = n1 ,  oauth_signature="x+y%3D", foo="bar"';
    assert.deepEqual(parseAuthorizationHeader(h), {
      oauth_token: "a b",
      oauth_nonce: "n1",
      oauth_signature: "x+y=",
    });
  });

  it("gives {} for other schemes", () => {
    assert.deepEqual(parseAuthorizationHeader('Basic oauth_token="x"'), {});
    assert.deepEqual(parseAuthorizationHeader("OAuthx oauth_token=x"), {});
    assert.deepEqual(parseAuthorizationHeader("OAuth"), {});
  });
});
