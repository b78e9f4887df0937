/** Unit tests of postObject and tombstone: the JSON-LD fields Mastodon reads, and the bounds. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Article, Note } from "@fedify/vocab";
import { audience, compactJson, offlineLoader } from "./jsonld.test-helper.js";
import { ACTOR, NOTICE, OBJECT_ID, OPTS, PUBLIC } from "./post.test-helper.js";
import { postObject, textHtml, tombstone } from "./post-object.js";

describe("postObject as a Note", () => {
  it("has the fields Mastodon needs", async () => {
    const json = await compactJson(postObject(NOTICE, OPTS));
    assert.equal(json.type, "Note");
    assert.equal(json.id, OBJECT_ID);
    assert.equal(json.attributedTo, ACTOR);
    assert.deepEqual(audience(json.to), [PUBLIC]);
    assert.deepEqual(audience(json.cc), [`${ACTOR}/followers`]);
    assert.equal(json.url, NOTICE.url);
    assert.equal(json.published, "2024-05-01T08:00:00Z");
    assert.equal(json.updated, undefined, "no updated when the post was never edited");
    assert.equal(json.summary, undefined, "a Note's summary would be a content warning");
  });

  it("holds the bold title, the sanitized body with absolute links, then a link to the page", async () => {
    const json = await compactJson(postObject(NOTICE, OPTS));
    const html =
      "<p><strong>Hello &amp; &lt;welcome&gt;</strong></p>" +
      "<p><strong>Intro</strong></p>" +
      '<p>See <a href="https://site.example/posts/other/">the other</a> <a href="https://site.example/posts/hello/cat.jpg">a cat</a></p>' +
      '<p><a href="https://site.example/posts/hello/">https://site.example/posts/hello/</a></p>';
    assert.equal(json.content, html);
    assert.deepEqual(json.contentMap, { en: html });
  });

  it("falls back to the summary, then to the plain notice text, escaped", async () => {
    const noHtml = { ...NOTICE, title: undefined, html: "", language: "" };
    const fromSummary = await compactJson(postObject(noHtml, OPTS));
    assert.match(String(fromSummary.content), /^<p>A first post<\/p><p><a href=/);
    assert.equal(fromSummary.contentMap, undefined, "no contentMap without a language");
    const v1 = { ...noHtml, summary: undefined, content: "a <b> & c\n\nsecond" };
    const fromText = await compactJson(postObject(v1, OPTS));
    assert.match(String(fromText.content), /^<p>a &lt;b&gt; &amp; c<\/p><p>second<\/p><p><a href=/);
  });

  it("tags the post with #hashtags, once each", async () => {
    const json = await compactJson(postObject(NOTICE, OPTS));
    assert.deepEqual(json.tag, [
      { type: "Hashtag", name: "#cats" },
      { type: "Hashtag", name: "#webdev" },
    ]);
  });

  it("answers the post its front matter names (inReplyTo), and nothing otherwise", async () => {
    const reply = await compactJson(
      postObject({ ...NOTICE, inReplyTo: "https://social.example/notes/9" }, OPTS),
    );
    assert.equal(reply.inReplyTo, "https://social.example/notes/9");
    assert.equal((await compactJson(postObject(NOTICE, OPTS))).inReplyTo, undefined);
  });

  it("carries updated when given or in the notice", async () => {
    const edited = await compactJson(
      postObject({ ...NOTICE, updated: "2024-06-01T00:00:00Z" }, OPTS),
    );
    assert.equal(edited.updated, "2024-06-01T00:00:00Z");
    const given = await compactJson(postObject(NOTICE, OPTS, "2024-07-01T00:00:00Z"));
    assert.equal(given.updated, "2024-07-01T00:00:00Z");
  });

  it("bounds a huge post below Mastodon's 1 MB, ending with an ellipsis and the link", async () => {
    const huge = { ...NOTICE, html: `<p>${'"quoted" 日本語 '.repeat(60_000)}</p>` };
    const json = await compactJson(postObject(huge, OPTS));
    assert.ok(Buffer.byteLength(JSON.stringify(json)) < 1_000_000);
    assert.match(
      String(json.content),
      /…<\/p><p><a href="https:\/\/site\.example\/posts\/hello\/">/,
    );
  });

  it("parses back with Fedify as a receiver would", async () => {
    const json = await compactJson(postObject(NOTICE, OPTS));
    const note = await Note.fromJsonLd(json, {
      documentLoader: offlineLoader,
      contextLoader: offlineLoader,
    });
    assert.equal(note.id?.href, OBJECT_ID);
    assert.equal(note.attributionId?.href, ACTOR);
    assert.equal(String(note.content), json.content);
  });
});

describe("postObject as an Article", () => {
  it("has the title as name, the summary, and the sanitized body as content", async () => {
    const json = await compactJson(postObject(NOTICE, { ...OPTS, objectType: "Article" }));
    assert.equal(json.type, "Article");
    assert.equal(json.id, OBJECT_ID);
    assert.equal(json.name, "Hello & <welcome>");
    assert.equal(json.summary, "A first post");
    assert.equal(
      json.content,
      '<p><strong>Intro</strong></p><p>See <a href="https://site.example/posts/other/">the other</a> <a href="https://site.example/posts/hello/cat.jpg">a cat</a></p>',
    );
    assert.equal(json.url, NOTICE.url);
    assert.ok(postObject(NOTICE, { ...OPTS, objectType: "Article" }) instanceof Article);
  });
});

describe("tombstone", () => {
  it("keeps the post's object id and says what it was", async () => {
    const deleted = { uri: NOTICE.uri, url: NOTICE.url, deletedAt: "2024-08-01T00:00:00Z" };
    const json = await compactJson(tombstone(deleted, OPTS));
    assert.deepEqual(json, {
      ...json,
      id: OBJECT_ID,
      type: "Tombstone",
      formerType: "as:Note",
      deleted: "2024-08-01T00:00:00Z",
    });
    const article = await compactJson(tombstone(deleted, { ...OPTS, objectType: "Article" }));
    assert.equal(article.formerType, "as:Article");
  });
});

describe("textHtml", () => {
  it("escapes, splits paragraphs, keeps line breaks, drops bidi controls", () => {
    assert.equal(textHtml("a\u202e<b>\nc\n\n\nd"), "<p>a&lt;b&gt;<br />c</p><p>d</p>");
    assert.equal(textHtml("  \n "), "");
  });
});
