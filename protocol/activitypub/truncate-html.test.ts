/** Unit tests of truncateHtml: the JSON size bound, cuts on boundaries, balanced output. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sanitizeOutgoingHtml } from "./sanitize.js";
import { ELLIPSIS, jsonByteLength, truncateHtml } from "./truncate-html.js";

const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;

describe("jsonByteLength", () => {
  it("counts what JSON.stringify writes, in UTF-8", () => {
    for (const s of [
      'a"b\\c',
      "tab\there\nline\r\f\b",
      "\u0001\u001f",
      "é€😀",
      "\ud800x",
      "<p>&amp;</p>",
    ]) {
      assert.equal(jsonByteLength(s), jsonBytes(s), JSON.stringify(s));
    }
  });
});

describe("truncateHtml", () => {
  it("leaves HTML that fits alone", () => {
    const html = "<p>short</p>";
    assert.deepEqual(truncateHtml(html, 100), { html, truncated: false });
  });

  it("cuts before a tag it would split, closes what is open, ends with an ellipsis", () => {
    const html = `<p>${"word ".repeat(20)}<a href="https://a.example/long/path">link</a> tail</p><p>next</p>`;
    const { html: out, truncated } = truncateHtml(html, 120);
    assert.equal(truncated, true);
    assert.ok(jsonByteLength(out) <= 120, `${jsonByteLength(out)} bytes`);
    assert.match(out, /^<p>(word )+…<\/p>$/);
  });

  it("cuts in text at a space, never inside a character reference", () => {
    const html = `<blockquote><p>${"a &amp; b ".repeat(50)}</p></blockquote>`;
    for (let max = 40; max < 200; max += 7) {
      const { html: out } = truncateHtml(html, max);
      assert.ok(jsonByteLength(out) <= max, `${max}: ${jsonByteLength(out)} bytes`);
      assert.ok(out.endsWith(`${ELLIPSIS}</p></blockquote>`), out);
      assert.doesNotMatch(out, /&(?!amp;)/, "every & starts a whole reference");
    }
  });

  it("keeps large posts under the bound, counting quotes and multibyte text", () => {
    const para = `<p>"quoted" — 日本語 😀 <a href="https://a.example/">x</a></p>`;
    const html = para.repeat(20_000);
    const { html: out, truncated } = truncateHtml(html);
    assert.equal(truncated, true);
    assert.ok(jsonBytes(out) <= 400_000, `${jsonBytes(out)} bytes`);
    assert.ok(jsonBytes(out) > 390_000, "cuts near the bound, not far before it");
    assert.equal(sanitizeOutgoingHtml(out), out, "the cut is well-formed, allowed HTML");
  });

  it("closes deeply nested elements, their end tags within the bound", () => {
    const html = `${"<blockquote>".repeat(30)}${"x".repeat(500)}${"</blockquote>".repeat(30)}`;
    const { html: out } = truncateHtml(html, 600);
    assert.ok(jsonByteLength(out) <= 600);
    const opened = out.match(/<blockquote>/g)?.length ?? 0;
    assert.ok(opened > 10, `${opened} levels kept`);
    assert.ok(out.endsWith(`${ELLIPSIS}${"</blockquote>".repeat(opened)}`), out);
  });
});
