import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  capNoticeOverride,
  codePointLength,
  DEFAULT_NOTICE_TEMPLATE,
  displaySiteUrl,
  NoticeTemplateError,
  renderNoticeText,
  shortenText,
} from "./notice-text.js";
import { firstParagraphText, noticeTeaser } from "./post-text.js";

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
const split = (s: string) => Array.from(graphemes.segment(s), (g) => g.segment);

const base = {
  title: "Hello",
  url: "https://blog.example/posts/hello/",
  shortUrl: "https://blog.example/s/ab12cd34/",
  siteUrl: "https://blog.example/",
  teaser: "A first post.",
};

/** The kept part of a shortened text is a whole-grapheme prefix of the original. */
function assertGraphemePrefix(shortened: string, original: string): void {
  const kept = shortened.endsWith("…") ? shortened.slice(0, -1) : shortened;
  const a = split(kept);
  const b = split(original);
  assert.deepEqual(a, b.slice(0, a.length), `"${kept}" is not a grapheme prefix of "${original}"`);
}

describe("renderNoticeText", () => {
  it("renders the default template with the site shown without scheme", () => {
    assert.equal(
      renderNoticeText(DEFAULT_NOTICE_TEMPLATE, base),
      "Hello (https://blog.example/s/ab12cd34/) - posted on blog.example : A first post.",
    );
  });

  it("shortens a long teaser first, at a word boundary, keeping the URL whole", () => {
    const teaser = "word ".repeat(60).trim();
    const text = renderNoticeText(DEFAULT_NOTICE_TEMPLATE, { ...base, teaser });
    assert.ok(codePointLength(text) <= 140, text);
    assert.ok(
      text.startsWith("Hello (https://blog.example/s/ab12cd34/) - posted on blog.example : word"),
    );
    assert.match(text, / word…$/);
  });

  it("drops an empty teaser together with its separator", () => {
    const text = renderNoticeText(DEFAULT_NOTICE_TEMPLATE, { ...base, teaser: "  " });
    assert.equal(text, "Hello (https://blog.example/s/ab12cd34/) - posted on blog.example");
  });

  it("works with a template without teaser", () => {
    assert.equal(
      renderNoticeText("{title} {url}", base),
      "Hello https://blog.example/posts/hello/",
    );
  });

  it("shortens a long title after dropping the teaser", () => {
    const title = `A very long title ${"about many things ".repeat(12)}`;
    const text = renderNoticeText(DEFAULT_NOTICE_TEMPLATE, { ...base, title, teaser: "a teaser" });
    assert.ok(codePointLength(text) <= 140, text);
    assert.ok(!text.includes("a teaser"), "the teaser goes before the title is cut");
    assert.ok(text.includes("(https://blog.example/s/ab12cd34/) - posted on blog.example"), text);
    assert.match(text, /^A very long title .*… \(/);
  });

  it("keeps a URL longer than the limit whole and alone", () => {
    const shortUrl = `https://blog.example/${"x".repeat(200)}`;
    const text = renderNoticeText(DEFAULT_NOTICE_TEMPLATE, { ...base, shortUrl });
    assert.equal(text, shortUrl);
  });

  it("falls back to the full URL when the template has no short URL", () => {
    const url = `https://blog.example/${"y".repeat(150)}`;
    assert.equal(renderNoticeText("{title}: {teaser} {url}", { ...base, url }), url);
  });

  it("keeps emoji ZWJ sequences, skin tones and flags whole", () => {
    const title = "👨‍👩‍👧‍👦👍🏽🇯🇵".repeat(30);
    const text = renderNoticeText("{title} {shortUrl}", { ...base, title });
    assert.ok(codePointLength(text) <= 140);
    const titlePart = text.slice(0, text.indexOf(" https://"));
    assertGraphemePrefix(titlePart, title);
    assert.ok(titlePart.endsWith("…"));
  });

  it("counts CJK text in code points, not bytes", () => {
    const teaser = "日本語の文章はスペースなしで続きます。".repeat(10);
    const text = renderNoticeText(DEFAULT_NOTICE_TEMPLATE, { ...base, title: "東京の春", teaser });
    assert.equal(codePointLength(text), [...text].length);
    assert.ok(codePointLength(text) <= 140);
    assert.ok(codePointLength(text) >= 120, "CJK text uses the space it has");
    assert.ok(Buffer.byteLength(text) > 140, "the limit is not a byte limit");
  });

  it("never separates a combining mark from its letter", () => {
    const teaser = "e\u0301".repeat(200);
    const text = renderNoticeText("{teaser}", { ...base, teaser }, 21);
    assert.ok(codePointLength(text) <= 21);
    assertGraphemePrefix(text, teaser);
    assert.equal(text, `${"e\u0301".repeat(10)}…`);
  });

  it("rejects an unknown placeholder", () => {
    assert.throws(() => renderNoticeText("{title} {link}", base), NoticeTemplateError);
  });

  it("holds the limit for any title and teaser (property)", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 300 });
    fc.assert(
      fc.property(text, text, (title, teaser) => {
        const out = renderNoticeText(DEFAULT_NOTICE_TEMPLATE, { ...base, title, teaser });
        assert.ok(codePointLength(out) <= 140, out);
        assert.ok(out.includes(base.shortUrl), "the short URL survives");
        assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(out), "no lone high surrogate");
      }),
      { numRuns: 300 },
    );
  });
});

describe("shortenText", () => {
  it("returns text that fits unchanged", () => {
    assert.equal(shortenText("short", 10), "short");
  });

  it("does not cut inside a URL", () => {
    const out = shortenText("see https://blog.example/a/long/path/here now", 20);
    assert.equal(out, "see…");
  });

  it("returns empty when nothing fits", () => {
    assert.equal(shortenText("abcdef", 1), "");
  });

  it("keeps graphemes whole for arbitrary text (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 80 }),
        fc.integer({ min: 2, max: 60 }),
        (s, max) => {
          const out = shortenText(s, max);
          assert.ok(codePointLength(out) <= max);
          assertGraphemePrefix(out, s);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("capNoticeOverride", () => {
  it("keeps a short override as it is", () => {
    assert.deepEqual(capNoticeOverride("  Just   this. "), {
      text: "Just this.",
      truncated: false,
    });
  });

  it("truncates a long override and says so", () => {
    const { text, truncated } = capNoticeOverride(`${"blah ".repeat(40)}https://blog.example/x`);
    assert.equal(truncated, true);
    assert.ok(codePointLength(text) <= 140);
    assert.ok(!text.includes("https://blog.ex"), "a URL is dropped whole, not cut");
  });
});

describe("teaser", () => {
  it("prefers description, then excerpt", () => {
    assert.equal(noticeTeaser({ description: " Desc ", excerpt: "Ex" }, "<p>Body</p>"), "Desc");
    assert.equal(noticeTeaser({ excerpt: "Ex" }, "<p>Body</p>"), "Ex");
    assert.equal(noticeTeaser({ description: 42 }, "<p>Body</p>"), "Body");
  });

  it("takes the first non-empty paragraph of HTML, tags stripped, entities decoded", () => {
    const html =
      "<h1>T</h1><p> </p><p>Fish &amp; <em>chips</em>\n  &#x1F600; &quot;ok&quot;</p><p>two</p>";
    assert.equal(firstParagraphText(html), 'Fish & chips 😀 "ok"');
  });

  it("joins inline markup into its words and separates blocks", () => {
    assert.equal(
      firstParagraphText("<p>her name is <em>Dolores</em>, a<br>b</p>"),
      "her name is Dolores, a b",
    );
  });

  it("strips Markdown when the text is not HTML", () => {
    const md =
      "# Title\n\nSome **bold** and [a link](https://x.example) in snake_case_name.\n\nNext.";
    assert.equal(firstParagraphText(md), "Title");
    assert.equal(
      firstParagraphText(md.replace("# Title\n\n", "")),
      "Some bold and a link in snake_case_name.",
    );
  });

  it("is empty for a post without text", () => {
    assert.equal(noticeTeaser({}, ""), "");
  });

  it("limits very long text without splitting a surrogate pair", () => {
    const t = noticeTeaser({ description: `${"a".repeat(599)}😀😀` }, "");
    assert.equal(codePointLength(t), 599);
  });
});

describe("displaySiteUrl", () => {
  it("drops the scheme and trailing slash", () => {
    assert.equal(displaySiteUrl("https://example.com/blog/"), "example.com/blog");
    assert.equal(displaySiteUrl("http://localhost:8080/"), "localhost:8080");
  });
});
