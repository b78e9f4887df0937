/** Unit tests of the HTML allow-list: hostile markup comes out inert, Mastodon's set passes. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sanitizeOutgoingHtml, sanitizeRemoteHtml } from "./sanitize.js";

const BASE = "https://site.example/posts/hello/";
const both = [
  ["outgoing", (h: string) => sanitizeOutgoingHtml(h, BASE)],
  ["remote", sanitizeRemoteHtml],
] as const;

/** Nothing in `out` can run script, load a resource or restyle the page. */
function assertInert(out: string): void {
  assert.doesNotMatch(
    out,
    /<(script|style|iframe|svg|math|img|object|embed|form|input|link|meta)\b/i,
  );
  assert.doesNotMatch(out, /\son\w+\s*=/i, "no event handler attribute");
  assert.doesNotMatch(out, /\sstyle\s*=/i, "no style attribute");
  assert.doesNotMatch(out, /(javascript|vbscript|data):/i, "no script or data URL");
  assert.doesNotMatch(out, /[\u202a-\u202e\u2066-\u2069]/u, "no bidi control");
}

const HOSTILE = [
  "<script>alert(1)</script>",
  "<p onclick=alert(1) style=color:red>x</p>",
  '<img src=x onerror="alert(1)">',
  '<a href="javascript:alert(1)">j</a>',
  '<a href="  JaVa&#x09;ScRiPt:alert(1)">j</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
  '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
  "<style>body{display:none}</style><p>s</p>",
  '<iframe src="https://evil.example/"></iframe>',
  "<iframe><script>alert(1)</script>",
  '<svg><script>alert(1)</script><a xlink:href="javascript:alert(1)">s</a></svg>',
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  '<a href="https://ok.example/" onmouseover="alert(1)">ok</a>',
  '<form action="javascript:alert(1)"><input type=submit></form>',
  '<object data="javascript:alert(1)"></object><embed src="x.swf">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  "<p>\u202eevil\u202c and \u2066iso\u2069</p>",
  "<p>&#x202E;encoded&#8238; bidi</p>",
  '<a href="https://ok.example/" class="h-card &#x202E;mention">x</a>',
];

for (const [direction, sanitize] of both) {
  describe(`${direction} HTML`, () => {
    for (const input of HOSTILE) {
      it(`makes ${JSON.stringify(input).slice(0, 60)} inert`, () => assertInert(sanitize(input)));
    }

    it("keeps Mastodon's allowed set", () => {
      const html =
        '<p>a<br />b <span class="h-card">c</span> <del>d</del> <em>e</em> <strong>f</strong> <b>g</b> <i>h</i> <u>i</u></p>' +
        "<pre><code>x &lt; y</code></pre><blockquote><p>q</p></blockquote>" +
        '<ol start="3" reversed><li value="5">one</li></ol><ul><li>two</li></ul>';
      assert.equal(sanitize(html), html);
    });

    it("keeps microformats and Mastodon's classes, drops others", () => {
      const out = sanitize(
        '<span class="h-card p-name u-url dt-published e-content mention hashtag ellipsis invisible btn big">x</span>',
      );
      assert.equal(
        out,
        '<span class="h-card p-name u-url dt-published e-content mention hashtag ellipsis invisible">x</span>',
      );
      assert.equal(sanitize('<span class="btn">x</span>'), "<span>x</span>");
    });

    it("turns headings into bold paragraphs", () => {
      assert.equal(
        sanitize('<h1 id="t">Title</h1><h6>Small</h6>'),
        "<p><strong>Title</strong></p><p><strong>Small</strong></p>",
      );
    });

    it("keeps the text of unknown elements, not of script-like ones", () => {
      assert.equal(sanitize("<div><section>kept</section></div><script>gone</script>"), "kept");
      assert.equal(sanitize("<svg><text>gone</text></svg>after"), "after");
    });

    it("keeps the link schemes Mastodon allows", () => {
      for (const href of [
        "https://a.example/",
        "http://a.example/",
        "mailto:me@a.example",
        "gemini://a.example/",
        "magnet:?xt=urn:btih:abc",
        "xmpp:me@a.example",
      ]) {
        assert.match(
          sanitize(`<a href="${href}">x</a>`),
          new RegExp(`href="${href.replace(/[?.]/g, "\\$&")}"`),
          href,
        );
      }
      for (const href of ["ftp://a.example/", "tel:123", "file:///etc/passwd", "vbscript:x"]) {
        assert.doesNotMatch(sanitize(`<a href="${href}">x</a>`), /href=/, href);
      }
    });

    it("removes bidi controls, escaped or literal, and keeps right-to-left letters", () => {
      assert.equal(sanitize("<p>a\u202eb&#x2067;c\u2069 שלום</p>"), "<p>abc שלום</p>");
    });
  });
}

describe("sanitizeOutgoingHtml", () => {
  it("makes relative links absolute against the post's URL", () => {
    assert.equal(
      sanitizeOutgoingHtml(
        '<a href="../other/">o</a> <a href="/tags/x/">t</a> <a href="#n">n</a>',
        BASE,
      ),
      '<a href="https://site.example/posts/other/">o</a> <a href="https://site.example/tags/x/">t</a> <a href="https://site.example/posts/hello/#n">n</a>',
    );
  });

  it("turns an image into a link to it named by its alt text", () => {
    assert.equal(
      sanitizeOutgoingHtml('<p><img src="cat.jpg" alt="A &quot;cat&quot; \u202easleep"></p>', BASE),
      '<p><a href="https://site.example/posts/hello/cat.jpg">A "cat" asleep</a></p>',
    );
    assert.equal(
      sanitizeOutgoingHtml('<img src="/a.png">', BASE),
      '<a href="https://site.example/a.png">https://site.example/a.png</a>',
    );
  });

  it("drops the URL of an image or link with a script or data URL, keeping its text", () => {
    assert.equal(
      sanitizeOutgoingHtml('<p><img src="javascript:alert(1)" alt="x"></p>', BASE),
      "<p><span>x</span></p>",
    );
    assert.equal(
      sanitizeOutgoingHtml('<p><img src="data:image/png;base64,AAAA"></p>', BASE),
      "<p></p>",
    );
    assert.equal(sanitizeOutgoingHtml('<a href="javascript:alert(1)">j</a>', BASE), "<a>j</a>");
  });

  it("does not add rel or target", () => {
    assert.equal(
      sanitizeOutgoingHtml('<a href="https://a.example/" target="_top">x</a>', BASE),
      '<a href="https://a.example/">x</a>',
    );
  });
});

describe("sanitizeRemoteHtml", () => {
  it("gives every link rel=nofollow noopener noreferrer and target=_blank", () => {
    assert.equal(
      sanitizeRemoteHtml(
        '<a href="https://a.example/" rel="me" target="_top" class="mention">@a</a>',
      ),
      '<a rel="nofollow noopener noreferrer" target="_blank" class="mention" href="https://a.example/">@a</a>',
    );
  });

  it("drops relative and protocol-relative links and images", () => {
    assert.equal(
      sanitizeRemoteHtml(
        '<a href="/x">x</a><a href="//evil.example/">y</a><img src="https://a.example/i.png" alt="i">',
      ),
      '<a rel="nofollow noopener noreferrer" target="_blank">x</a><a rel="nofollow noopener noreferrer" target="_blank">y</a>',
    );
  });
});
