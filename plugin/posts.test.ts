import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseManifest } from "../contract/manifest.js";
import type { CollectionItem } from "./eleventy-types.js";
import { buildManifest } from "./manifest.js";
import { resolveOptions } from "./options.js";
import { PostFrontMatterError, PostIndex } from "./posts.js";
import { ShortIdCollisionError } from "./short-links.js";

const options = resolveOptions({
  siteUrl: "https://b.example/blog/",
  sidecarUrl: "https://f.example/",
  profile: { nickname: "mira" },
});

function post(
  url: string | false,
  date: string,
  data: Record<string, unknown> = {},
  content = "",
): CollectionItem {
  return {
    url,
    date: new Date(date),
    inputPath: `./posts${url || "/x/"}index.md`,
    fileSlug: "x",
    data,
    content,
  };
}

function manifestOf(posts: CollectionItem[], warnings: string[] = []) {
  const json = buildManifest(
    options,
    posts,
    new PostIndex(options, (m) => warnings.push(m)),
    "test",
  );
  return parseManifest(JSON.parse(json), "test");
}

describe("buildManifest", () => {
  it("lists federated posts with a URL, newest first, as absolute URLs under the site path", () => {
    const m = manifestOf([
      post("/a/", "2024-01-01", { title: "A" }),
      post("/c/", "2024-03-01", { title: "C", federate: false }),
      post("/b/", "2024-02-01", { title: "B" }),
      post(false, "2024-04-01", { title: "No page" }),
    ]);
    assert.deepEqual(
      m.notices.map((n) => n.uri),
      ["https://b.example/blog/b/", "https://b.example/blog/a/"],
    );
    assert.equal(m.notices[0]?.published, "2024-02-01T00:00:00.000Z");
    assert.equal(m.notices[0]?.license, "http://creativecommons.org/licenses/by/3.0/");
    assert.equal(m.profile.uri, "https://b.example/blog/");
  });

  it("takes front matter inReplyTo as an absolute http(s) URL, and leaves out anything else", () => {
    const m = manifestOf([
      post("/a/", "2024-01-01", { inReplyTo: "https://social.example/notes/1" }),
      post("/b/", "2024-01-02", { in_reply_to: "/a/" }),
      post("/c/", "2024-01-03", { inReplyTo: "javascript:alert(1)" }),
    ]);
    assert.deepEqual(
      m.notices.map((n) => n.inReplyTo),
      [undefined, "https://b.example/a/", "https://social.example/notes/1"],
    );
  });

  it("makes the teaser from the rendered body and reads numeric titles", () => {
    const m = manifestOf([
      post("/a/", "2024-01-01", { title: 2024 }, "<p>Body <em>text</em>.</p>"),
    ]);
    assert.match(
      m.notices[0]?.content ?? "",
      /^2024 \(https:\/\/b\.example\/blog\/s\/[0-9a-z]{8}\/\) - posted on b\.example\/blog : Body text\.$/,
    );
  });

  it("shortens a long notice: override and warns, naming the post", () => {
    const warnings: string[] = [];
    const m = manifestOf([post("/a/", "2024-01-01", { notice: "word ".repeat(50) })], warnings);
    assert.ok((m.notices[0]?.content.length ?? 0) <= 140);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? "",
      /notice: override in \.\/posts\/a\/index\.md is longer than 140/,
    );
  });

  it("refuses front matter of the wrong type, naming the key and the file", () => {
    assert.throws(
      () => manifestOf([post("/a/", "2024-01-01", { federate: "no" })]),
      (e: unknown) => {
        assert.ok(e instanceof PostFrontMatterError);
        assert.match(e.message, /"federate" in \.\/posts\/a\/index\.md must be true or false/);
        return true;
      },
    );
    assert.throws(
      () => manifestOf([post("/a/", "2024-01-01", { notice: 42 })]),
      /"notice" .* must be text/,
    );
    assert.throws(
      () => manifestOf([post("/a/", "2024-01-01", { shortId: "Bad Id" })]),
      /"shortId" .* must be 1–32/,
    );
  });

  it("uses a front-matter shortId and refuses two posts with the same one", () => {
    const m = manifestOf([post("/a/", "2024-01-01", { title: "A", shortId: "hello" })]);
    assert.match(m.notices[0]?.content ?? "", /\(https:\/\/b\.example\/blog\/s\/hello\/\)/);
    assert.throws(
      () =>
        manifestOf([
          post("/a/", "2024-01-01", { shortId: "x" }),
          post("/b/", "2024-01-02", { shortId: "x" }),
        ]),
      ShortIdCollisionError,
    );
  });
});
