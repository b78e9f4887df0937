import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ShortIdCollisionError, ShortIdRegistry, shortId, shortLinkHtml } from "./short-links.js";

describe("shortId", () => {
  it("is stable: the same path gives the same id, in every build", () => {
    // Pinned: if this changes, every short link already sent in a notice breaks.
    assert.equal(
      shortId("/posts/hello-federated-world/"),
      shortId("/posts/hello-federated-world/"),
    );
    // Independently: the first 40 bits of sha256("/posts/hello/") in Crockford base32 (Python).
    assert.equal(shortId("/posts/hello/"), "0fzvf4cz");
  });

  it("differs between paths and uses 8 unambiguous base32 characters", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = shortId(`/posts/${i}/`);
      assert.match(id, /^[0-9a-hjkmnp-tv-z]{8}$/);
      ids.add(id);
    }
    assert.equal(ids.size, 2000);
  });
});

describe("ShortIdRegistry", () => {
  it("accepts the same post twice and refuses a second post with the same id", () => {
    const r = new ShortIdRegistry();
    r.claim("abc", "/a/", "a.md");
    r.claim("abc", "/a/", "a.md");
    assert.throws(
      () => r.claim("abc", "/b/", "b.md"),
      (err: unknown) => {
        assert.ok(err instanceof ShortIdCollisionError);
        assert.match(
          err.message,
          /"abc" of \/b\/ \(b\.md\) is already used by \/a\/.*Fix: .*shortId:/,
        );
        return true;
      },
    );
  });
});

describe("shortLinkHtml", () => {
  it("redirects without JavaScript and names the canonical URL", () => {
    const html = shortLinkHtml("https://b.example/posts/a/?x=1&y=2");
    const target = "https://b.example/posts/a/?x=1&amp;y=2";
    assert.ok(html.includes(`<meta http-equiv="refresh" content="0; url=${target}">`));
    assert.ok(html.includes(`<link rel="canonical" href="${target}">`));
    assert.ok(html.includes(`<a href="${target}">`));
    assert.ok(!html.includes("<script"));
  });
});
