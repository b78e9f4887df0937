import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { encodeForm, parseForm, signRequest, verifySignature } from "./oauth.js";
import { PreparedRequest } from "./oauth-fast.js";

const notice = {
  omb_version: "http://openmicroblogging.org/protocol/0.1",
  omb_listenee: "http://127.0.0.1:8002/user/2",
  omb_notice: "http://127.0.0.1:8002/notice/1",
  omb_notice_content: "Hello from bob via libomb! & ünïcödé + 100% <ok>",
  omb_notice_license: "http://creativecommons.org/licenses/by/3.0/",
  omb_notice_url: "http://127.0.0.1:8002/notice/1",
};

/** What the general path sends for the same inputs. */
function reference(
  params: Record<string, string>,
  consumerKey: string,
  url: string,
  token: string,
  tokenSecret: string,
  opts: { nonce: string; timestamp: number },
): string {
  return encodeForm(signRequest("POST", url, params, { consumerKey, token, tokenSecret }, opts));
}

describe("PreparedRequest", () => {
  it("reproduces the captured postNotice body of two libomb instances byte for byte", () => {
    const prepared = new PreparedRequest(notice, "http://127.0.0.1:8002/");
    const { body } = prepared.sign(
      "POST",
      "http://127.0.0.1:8001/postnotice",
      "a8c0eb8a42f12bee276bf5f20004d5f7",
      "63cd16bcfa24bf2e0beef2065195bb85",
      { nonce: "c13f04995df531d63c65af216282224d", timestamp: 1795511426 },
    );
    assert.equal(
      body,
      "oauth_consumer_key=http%3A%2F%2F127.0.0.1%3A8002%2F&oauth_nonce=c13f04995df531d63c65af216282224d&oauth_signature=4%2F9rrLUbwgUuMcV9EZ2Jylr3mJU%3D&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1795511426&oauth_token=a8c0eb8a42f12bee276bf5f20004d5f7&oauth_version=1.0&omb_listenee=http%3A%2F%2F127.0.0.1%3A8002%2Fuser%2F2&omb_notice=http%3A%2F%2F127.0.0.1%3A8002%2Fnotice%2F1&omb_notice_content=Hello%20from%20bob%20via%20libomb%21%20%26%20%C3%BCn%C3%AFc%C3%B6d%C3%A9%20%2B%20100%25%20%3Cok%3E&omb_notice_license=http%3A%2F%2Fcreativecommons.org%2Flicenses%2Fby%2F3.0%2F&omb_notice_url=http%3A%2F%2F127.0.0.1%3A8002%2Fnotice%2F1&omb_version=http%3A%2F%2Fopenmicroblogging.org%2Fprotocol%2F0.1",
    );
  });

  it("equals signRequest + encodeForm for random params, URLs, tokens, nonces, timestamps", () => {
    // Names around the oauth_* block on purpose: before, inside (general path) and after it.
    const name = fc.oneof(
      fc.constantFrom("a", "action", "oauth_", "oauth_a", "oauth_callback", "oauth_token"),
      fc.constantFrom("oauth_zz", "oauth_version", "oauth_w", "omb_notice", "z", "Z", "_", "~"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
    );
    const host = fc.constantFrom("a.example", "Mixed.Example", "127.0.0.1", "[::1]");
    const port = fc.constantFrom("", ":80", ":443", ":8001");
    const path = fc.constantFrom("/postnotice", "/index.php", "", "/a%20b/c");
    const query = fc.constantFrom("", "?action=postnotice", "?a=1&z=%20", "?oauth_x=y");
    const url = fc
      .tuple(fc.constantFrom("http", "https"), host, port, path, query)
      .map(([s, h, p, pa, q]) => `${s}://${h}${p}${pa}${q}`);
    fc.assert(
      fc.property(
        fc.dictionary(name, fc.string({ unit: "binary" }), { maxKeys: 8, noNullPrototype: true }),
        fc.constantFrom("http://127.0.0.1:8002/", "https://b.example/", "http://b.example/ü x"),
        fc.array(fc.tuple(url, fc.string({ unit: "binary" }), fc.string({ unit: "binary" })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.stringMatching(/^[0-9a-zA-Z+/=%-]{0,40}$/),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (params, consumerKey, destinations, nonce, timestamp) => {
          const prepared = new PreparedRequest(params, consumerKey);
          for (const [u, token, secret] of destinations) {
            const opts = { nonce, timestamp };
            const { body } = prepared.sign("POST", u, token, secret, opts);
            assert.equal(body, reference(params, consumerKey, u, token, secret, opts));
            assert.ok(verifySignature("POST", u, parseForm(body), "", secret));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("signs many destinations from one preparation, each verifiable only with its own secret", () => {
    const prepared = new PreparedRequest(notice, "http://127.0.0.1:8002/");
    const bodies = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const url = `http://peer${i % 7}.example/postnotice`;
      const { body } = prepared.sign("POST", url, `tok${i}`, `sec${i}`);
      const params = parseForm(body);
      assert.equal(params.oauth_token, `tok${i}`);
      assert.match(params.oauth_nonce ?? "", /^[0-9a-f]{32}$/);
      assert.ok(verifySignature("POST", url, params, "", `sec${i}`));
      assert.ok(!verifySignature("POST", url, params, "", `sec${i + 1}`));
      bodies.add(body);
    }
    assert.equal(bodies.size, 50);
  });

  it("keeps working past the URL cache bound", () => {
    const prepared = new PreparedRequest({ omb_version: "v" }, "k");
    const opts = { nonce: "n", timestamp: 1 };
    for (let i = 0; i < 4200; i++) prepared.sign("POST", `http://h${i}.example/p`, "t", "s", opts);
    const { body } = prepared.sign("POST", "http://h0.example/p", "t", "s", opts);
    assert.equal(body, reference({ omb_version: "v" }, "k", "http://h0.example/p", "t", "s", opts));
  });

  it("does not see later changes to the params object it was built from", () => {
    const params: Record<string, string> = { omb_version: "v" };
    const prepared = new PreparedRequest(params, "k");
    params.omb_version = "changed";
    const { body } = prepared.sign("POST", "http://h.example/p?x=1", "t", "s", {
      nonce: "n",
      timestamp: 1,
    });
    assert.equal(parseForm(body).omb_version, "v");
  });
});
