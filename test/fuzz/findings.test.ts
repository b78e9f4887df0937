import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManifestError, parseManifest } from "../../contract/manifest.js";
import {
  encodeForm,
  parseForm,
  signatureBaseString,
  signRequest,
  verifySignature,
} from "../../protocol/omb/oauth.js";
import { htmlToText } from "../../protocol/omb/post-text.js";

/**
 * What the fuzzers found, pinned as plain examples: fixed ones as regression tests, open
 * ones as `todo` (they run and report, without failing the suite, until fixed).
 */

const PROFILE = {
  uri: "http://site.example/",
  profile: "http://site.example/",
  nickname: "site",
  fullname: "",
  bio: "",
  location: "",
  homepage: "",
  avatar: "",
  license: "",
};
const NOTICE = {
  uri: "http://site.example/posts/1/",
  url: "http://site.example/posts/1/",
  content: "Hello",
  published: "2024-01-01T00:00:00Z",
  license: "",
};

describe("fuzz findings", () => {
  it("a manifest with a lone surrogate is refused, naming the field (it could never be sent)", () => {
    // JSON.parse turns "\ud800" into a lone surrogate; so does a post's "&#xD800;"
    const json = JSON.parse(
      JSON.stringify({ version: 1, profile: PROFILE, notices: [NOTICE] }).replace(
        '"Hello"',
        '"Hello \\ud800"',
      ),
    );
    assert.throws(() => encodeForm({ c: json.notices[0].content }), URIError);
    assert.throws(
      () => parseManifest(json, "test"),
      (e: Error) => {
        assert.ok(e instanceof ManifestError);
        assert.match(e.message, /notices\.0\.content: must be well-formed Unicode/);
        return true;
      },
    );
    // a proper pair (an emoji) is fine
    const emoji = {
      version: 1,
      profile: PROFILE,
      notices: [{ ...NOTICE, content: "Hi \u{1F600}" }],
    };
    assert.equal(parseManifest(emoji, "test").notices[0]?.content, "Hi \u{1F600}");
  });

  it("a param named __proto__ is signed like any other (oauth-1.0a dropped it from base strings)", () => {
    const url = "http://peer.example/postnotice";
    const creds = { consumerKey: "http://site.example/", token: "t", tokenSecret: "s" };
    const params = Object.fromEntries([["__proto__", "a"]]);
    const signed = signRequest("POST", url, params, creds);
    assert.equal(verifySignature("POST", url, signed, "", "s"), true);
    assert.match(signatureBaseString("POST", url, signed), /__proto__%3Da/);
    const tampered = { ...signed };
    Object.defineProperty(tampered, "__proto__", { value: "b", enumerable: true });
    assert.equal(verifySignature("POST", url, tampered, "", "s"), false);
    // and it travels: a form body with __proto__ parses back to the signed set
    assert.equal(verifySignature("POST", url, parseForm(encodeForm(signed)), "", "s"), true);
  });

  it("numeric references to surrogates, 0 and past U+10FFFF decode to U+FFFD (HTML's rule)", () => {
    for (const ref of [
      "&#xD800;",
      "&#xdfff;",
      "&#55296;",
      "&#0;",
      "&#x110000;",
      "&#99999999999;",
    ]) {
      const text = htmlToText(`a ${ref} b`);
      assert.equal(text, "a \uFFFD b", ref);
      assert.doesNotMatch(text, /\p{Cs}/u, `${ref} leaves no lone surrogate`);
      encodeForm({ c: text }); // what every delivery does: must not throw
    }
    // the neighbours still decode
    assert.equal(
      htmlToText("&#xD7FF;&#xE000;&#x10FFFF;&#x1F600;"),
      "\uD7FF\uE000\u{10FFFF}\u{1F600}",
    );
  });
});
