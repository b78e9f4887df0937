/** isValidUri: the URIs PEAR Validate::uri accepted and rejected, schemes, hostile input. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isValidUri, LIBOMB_URL_SCHEMES } from "./validate.js";

describe("isValidUri (PEAR Validate::uri as libomb used it)", () => {
  const valid = [
    "http://example.com",
    "http://example.com/",
    "https://a.example/index.php?action=postnotice",
    "http://127.0.0.1:8001/user/1",
    "http://localhost/",
    "http://example.com:8080/p",
    "http://example.com:/p",
    "http://example.com:99999/p",
    "http://Example.COM/Path",
    "http://example.com./",
    "http://user:pw@example.com/",
    "http://example.com/a%20b/c;d=e:f@g",
    "http://example.com/?q=a b&x=ü",
    "http://xn--bcher-kva.example/",
    "http://1a.example/",
    "http://example.com/#frag",
    "http://example.com?action=x",
    "http://creativecommons.org/licenses/by/3.0/",
  ];
  for (const uri of valid) it(`accepts ${uri}`, () => assert.equal(isValidUri(uri), true));

  const invalid: [string, string][] = [
    ["tag:example.org,2009:notice/1", "tag: URI (no //host)"],
    ["urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "urn: URI"],
    ["http://under_score.example/", "_ in host"],
    ["http://example.com/?u=http://x", "':' and '/' in query"],
    ["http://example.com/?a;b", "';' in query"],
    ["http://example.com/?a@b", "'@' in query"],
    ["http://example.com/?a$b", "'$' in query"],
    ["http://example.com/?a,b", "',' in query"],
    ["http://example.com/?next?x", "'?' in query"],
    ["http://example.com/#a/b", "'/' in fragment"],
    ["http://example.com/#a b", "space in fragment"],
    ["HTTP://example.com/", "scheme compared case-sensitively"],
    ["ftp://example.com/", "ftp not in the default schemes"],
    ["javascript:alert(1)", "no //host"],
    ["http://256.1.1.1/", "IPv4 part > 255"],
    ["http://1.2.3.4.5/", "five numeric labels: last label must start with a letter"],
    ["http://example.1a/", "last label starts with a digit"],
    ["http://example.co-m/", "'-' in the last label"],
    ["http://-a.example/", "label starting with '-'"],
    ["http://a-.example/", "label ending with '-'"],
    ["http://[::1]/", "IPv6 literal"],
    ["http://example.com/ü", "raw non-ASCII in path"],
    ["http://example.com/a b", "space in path"],
    ["http://example.com/%zz", "bad escape in path"],
    ["http://exa mple.com/", "space in host"],
    ["/relative", "relative"],
    ["//example.com/", "no scheme"],
    ["http://", "no host"],
    ["http:///p", "no host"],
    ["http://example.com\n", "trailing newline (PHP's $ allowed it; we do not)"],
    ["", "empty"],
  ];
  for (const [uri, why] of invalid) {
    it(`rejects ${JSON.stringify(uri)}: ${why}`, () => assert.equal(isValidUri(uri), false));
  }

  it("takes other schemes as an option (libomb: http, https, ftp, gopher)", () => {
    assert.equal(isValidUri("ftp://example.com/f", { schemes: LIBOMB_URL_SCHEMES }), true);
    assert.equal(isValidUri("gopher://example.com/", { schemes: LIBOMB_URL_SCHEMES }), true);
    assert.equal(isValidUri("ssh://example.com/", { schemes: LIBOMB_URL_SCHEMES }), false);
    assert.equal(isValidUri("http://example.com/", { schemes: [] }), false);
  });

  it("stays fast on long hostile input", () => {
    const start = performance.now();
    assert.equal(isValidUri(`http://${"a".repeat(8000)}!`), false);
    assert.equal(isValidUri(`http://${"a.".repeat(4000)}!`), false);
    assert.equal(isValidUri(`http://${"a-".repeat(4000)}!`), false);
    assert.equal(isValidUri(`http://a.example/${"%20".repeat(2000)}`), true);
    assert.equal(isValidUri(`http://a.example/${"a".repeat(9000)}`), false);
    assert.ok(performance.now() - start < 500);
  });
});
