/**
 * renderNoticeText (protocol/omb/notice-text.ts) turns a post into its 140-character notice:
 * for any template and any post it stays within the limit (or is one whole URL), never
 * cuts a URL, and only throws NoticeTemplateError (for an unknown placeholder).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  codePointLength,
  displaySiteUrl,
  NOTICE_PLACEHOLDERS,
  NoticeTemplateError,
  type NoticeVars,
  renderNoticeText,
  shortenText,
} from "../../../protocol/omb/notice-text.js";
import { hostileText, onlyThrows, type Property, property } from "../property.js";

/**
 * URLs numbered by host (`u1.example`, `u2.example`…) and ending in a letter, so no URL is
 * a prefix of another and a cut one cannot pass for a whole one.
 */
/** A URL without its number: scheme, directories, last segment (ends in a letter). */
const urlParts = fc.tuple(
  fc.constantFrom("http", "https"),
  fc.array(fc.stringMatching(/^[a-z0-9]{1,12}$/), { maxLength: 4 }),
  fc.stringMatching(/^[a-z]{1,10}$/),
);
type UrlParts = [string, string[], string];
const numbered = (n: number, [scheme, dirs, last]: UrlParts) =>
  `${scheme}://u${n}.example/${[...dirs, last].join("/")}`;
const urlNumbered = (n: number) => urlParts.map((p) => numbered(n, p));

const word = fc.oneof(
  fc.stringMatching(/^[A-Za-z]{1,12}$/),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }).filter((w) => !/\s|:\/\//.test(w)),
  fc.constantFrom("—", "-", ":", "…", "\u{1F469}\u200D\u{1F4BB}", "\u{1F1EB}\u{1F1F7}", "e\u0301"),
);
/** Words and numbered URLs (from `firstUrl` up) separated by spaces: a title or a teaser. */
const prose = (firstUrl: number) =>
  fc
    .array(fc.oneof({ weight: 6, arbitrary: word }, urlParts), { maxLength: 60 })
    .map((items) =>
      items.map((it, i) => (typeof it === "string" ? it : numbered(firstUrl + i, it))).join(" "),
    );

const literal = fc.oneof(
  fc.constantFrom(
    " ",
    " - ",
    " : ",
    " (",
    ") ",
    " | ",
    "New post: ",
    " via ",
    "{",
    "}",
    "{title",
    "",
  ),
  fc.stringMatching(/^[a-z ]{0,10}$/),
);
const template = fc
  .array(
    fc.oneof(
      fc.constantFrom(...NOTICE_PLACEHOLDERS).map((p) => `{${p}}`),
      literal,
    ),
    {
      minLength: 1,
      maxLength: 9,
    },
  )
  .map((parts) => parts.join(""));

const vars: fc.Arbitrary<NoticeVars> = fc.record({
  title: prose(100),
  url: urlNumbered(1),
  shortUrl: fc.oneof(fc.constant(""), urlNumbered(2)),
  siteUrl: fc.constantFrom("https://site.example/", "http://Blog.Example.org/me/"),
  teaser: prose(200),
});

/** Every URL in `text` begins with one of `urls` in full (a trailing ")" or "…" may follow). */
function assertNoCutUrl(text: string, urls: string[]): void {
  for (const m of text.matchAll(/\b(?:https?|ftp):\/\/[^\s<>"]+/gi)) {
    assert.ok(
      urls.some((u) => m[0].startsWith(u)),
      `cut URL "${m[0]}" in "${text}"`,
    );
  }
}

function urlsIn(v: NoticeVars): string[] {
  const inText = `${v.title} ${v.teaser}`.match(/https?:\/\/\S+/g) ?? [];
  return [v.url, v.shortUrl, ...inText].filter((u) => u !== "");
}

export const properties: Record<string, Property> = {
  "any template, any post: at most maxChars code points or one whole URL, no URL cut": property(
    fc.tuple(
      fc.oneof(template, fc.constant("{title} ({shortUrl}) - posted on {siteUrl} : {teaser}")),
      vars,
      fc.integer({ min: 1, max: 300 }),
    ),
    ([tpl, v, max]) => {
      const out = onlyThrows(NoticeTemplateError, () => renderNoticeText(tpl, v, max));
      if (out instanceof NoticeTemplateError) {
        assert.match(tpl, /\{(?!(title|url|shortUrl|siteUrl|teaser)\})[A-Za-z]+\}/);
        return;
      }
      const wholeUrls = [v.shortUrl, v.url, displaySiteUrl(v.siteUrl)];
      assert.ok(
        codePointLength(out) <= max || wholeUrls.includes(out),
        `${codePointLength(out)} > ${max}: "${out}"`,
      );
      assert.equal(out, out.trim());
      assertNoCutUrl(out, urlsIn(v));
    },
  ),

  "hostile text in every field: a string or NoticeTemplateError, never a throw": property(
    fc.tuple(
      fc.oneof(template, hostileText(40)),
      fc.record({
        title: hostileText(300),
        url: hostileText(60),
        shortUrl: hostileText(30),
        siteUrl: hostileText(30),
        teaser: hostileText(600),
      }),
      fc.integer({ min: 0, max: 300 }),
    ),
    ([tpl, v, max]) => {
      const out = onlyThrows(NoticeTemplateError, () => renderNoticeText(tpl, v, max));
      if (!(out instanceof NoticeTemplateError)) assert.equal(typeof out, "string");
    },
  ),

  "shortenText: within the limit, a prefix of the text plus …, no URL cut": property(
    fc.tuple(prose(3), fc.integer({ min: 0, max: 200 })),
    ([text, max]) => {
      const out = shortenText(text, max);
      assert.ok(codePointLength(out) <= max, `${codePointLength(out)} > ${max}`);
      if (out === text) return;
      if (out !== "") {
        assert.ok(out.endsWith("…"));
        assert.ok(text.startsWith(out.slice(0, -1)), `"${out}" is not a prefix of "${text}"`);
      }
      assertNoCutUrl(out, text.match(/https?:\/\/\S+/g) ?? []);
    },
  ),
};
