/**
 * Turns a post into the plain text of its OMB notice (OMB.md §5: receivers enforce 140
 * characters, counted like PHP's mb_strlen, i.e. in Unicode code points). Pure, no I/O.
 *
 * Shortening order: the teaser first (with "…", at a word boundary when one is near), then
 * the title, never a URL. Cuts fall only between grapheme clusters, so an emoji ZWJ
 * sequence, a flag or a letter with its combining marks is kept whole or dropped whole.
 */

import { collapseWhitespace } from "./post-text.js";
import { codePointLength, DEFAULT_MAX_CONTENT_CHARS } from "./validate.js";

// Receivers count with it (validate.ts); a notice is shortened by the same count.
export { codePointLength };

/** What a receiver accepts, so what a notice is shortened to. */
export const NOTICE_MAX_CHARS = DEFAULT_MAX_CONTENT_CHARS;

/**
 * "title (short url) - posted on site : teaser", in the spirit of the notices StatusNet's
 * blog plugins sent. `{siteUrl}` renders without scheme or trailing slash (`example.com`).
 */
export const DEFAULT_NOTICE_TEMPLATE = "{title} ({shortUrl}) - posted on {siteUrl} : {teaser}";

export const NOTICE_PLACEHOLDERS = ["title", "url", "shortUrl", "siteUrl", "teaser"] as const;
export type NoticePlaceholder = (typeof NOTICE_PLACEHOLDERS)[number];
export type NoticeVars = Record<NoticePlaceholder, string>;

const ELLIPSIS = "…";
/** A title or teaser with less room than this is dropped rather than shown as a stub. */
const MIN_FIELD_CHARS = 4;
/** URL placeholders, best first: the one kept alone when nothing else fits. */
const URL_PRIORITY: readonly NoticePlaceholder[] = ["shortUrl", "url", "siteUrl"];
/** Literal text made only of these may be dropped next to an empty field (" : ", " - "). */
const SEPARATOR_ONLY = /^[\s\-–—:;,|·•/]*$/;
const URL_IN_TEXT = /\b(?:https?|ftp):\/\/[^\s<>"]+/gi;

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
const words = new Intl.Segmenter("en", { granularity: "word" });

export class NoticeTemplateError extends Error {
  override name = "NoticeTemplateError";
}

type Segment = { literal: string } | { field: NoticePlaceholder };

/** Splits a template into literal text and `{placeholder}` fields; unknown names throw. */
export function parseNoticeTemplate(template: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{([A-Za-z]+)\}/g)) {
    const name = m[1] ?? "";
    if (!(NOTICE_PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new NoticeTemplateError(
        `unknown placeholder {${name}} in notice template "${template}"; use ${NOTICE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
      );
    }
    if (m.index > last) segments.push({ literal: template.slice(last, m.index) });
    segments.push({ field: name as NoticePlaceholder });
    last = m.index + m[0].length;
  }
  if (last < template.length) segments.push({ literal: template.slice(last) });
  return segments;
}

/** `https://Example.com/blog/` → `example.com/blog`: how `{siteUrl}` appears in a notice. */
export function displaySiteUrl(siteUrl: string): string {
  return siteUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
}

/**
 * Shortens text to at most `maxChars` code points, ending with "…". Cuts between grapheme
 * clusters, never inside a URL, and at a word boundary when one lies in the second half of
 * what is kept. Returns "" when nothing useful fits.
 */
export function shortenText(text: string, maxChars: number): string {
  if (codePointLength(text) <= maxChars) return text;
  const budget = maxChars - codePointLength(ELLIPSIS);
  if (budget < 1) return "";

  let { cut, wordCut } = cutPoints(text, budget);
  for (const m of text.matchAll(URL_IN_TEXT)) {
    if (m.index >= cut) break;
    if (cut < m.index + m[0].length) {
      // Inside a URL: keep the text before it (and look for a word boundary there).
      cut = m.index;
      wordCut = Math.min(wordCut, cut);
      break;
    }
  }
  if (wordCut >= cut / 2) cut = wordCut;

  const kept = text.slice(0, cut).replace(/[\s\-–—:;,.(/]+$/, "");
  return kept === "" ? "" : kept + ELLIPSIS;
}

/** The UTF-16 index just after the first `n` code points of `text`. */
function indexAfterCodePoints(text: string, n: number): number {
  let i = 0;
  for (let count = 0; count < n && i < text.length; count++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return i;
}

const isPrintableAscii = (c: number) => c >= 0x20 && c < 0x7f;

/**
 * Whether `i` falls between two grapheme clusters. Between two printable ASCII characters it
 * always does (no UAX #29 rule joins them), which spares the segmenter for most text.
 */
function isGraphemeBoundary(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return true;
  if (isPrintableAscii(text.charCodeAt(i - 1)) && isPrintableAscii(text.charCodeAt(i))) return true;
  return graphemes.segment(text).containing(i)?.index === i;
}

/**
 * The longest prefix of whole grapheme clusters within `budget` code points, and the last
 * word boundary at or before it: a space, or for text without spaces near the end (CJK,
 * Thai) a UAX #29 word boundary that is also a grapheme boundary.
 */
function cutPoints(text: string, budget: number): { cut: number; wordCut: number } {
  const at = indexAfterCodePoints(text, budget);
  const cut = isGraphemeBoundary(text, at)
    ? at
    : (graphemes.segment(text).containing(at)?.index ?? 0);
  const space = text.lastIndexOf(" ", cut);
  if (space >= cut / 2 && isGraphemeBoundary(text, space)) return { cut, wordCut: space };
  const wordSegments = words.segment(text);
  let wordCut = wordSegments.containing(cut)?.index ?? 0;
  for (let tries = 0; tries < 8 && !isGraphemeBoundary(text, wordCut); tries++) {
    wordCut = wordSegments.containing(wordCut - 1)?.index ?? 0;
  }
  return { cut, wordCut: isGraphemeBoundary(text, wordCut) ? wordCut : 0 };
}

function render(segments: readonly Segment[], vars: NoticeVars): string {
  const parts = segments.map((s) => ("field" in s ? vars[s.field] : s.literal));
  // An empty field takes its separator with it: the one before it, or after it at the start.
  segments.forEach((s, i) => {
    if (!("field" in s) || vars[s.field] !== "") return;
    for (const j of i > 0 ? [i - 1, i + 1] : [i + 1]) {
      const neighbour = segments[j];
      if (neighbour && "literal" in neighbour && SEPARATOR_ONLY.test(neighbour.literal)) {
        parts[j] = "";
        return;
      }
    }
  });
  return parts.join("").trim();
}

/** Parsed templates: a site has one or two, and each post's notice would parse it again. */
const parsedTemplates = new Map<string, Segment[]>();

function parsedTemplate(template: string): Segment[] {
  let segments = parsedTemplates.get(template);
  if (segments === undefined) {
    segments = parseNoticeTemplate(template);
    if (parsedTemplates.size >= 32) parsedTemplates.clear();
    parsedTemplates.set(template, segments);
  }
  return segments;
}

function countField(segments: readonly Segment[], field: NoticePlaceholder): number {
  return segments.filter((s) => "field" in s && s.field === field).length;
}

/** Shortens one field so the whole rendering fits, or empties it when too little room is left. */
function fitField(
  segments: readonly Segment[],
  vars: NoticeVars,
  field: NoticePlaceholder,
  maxChars: number,
): NoticeVars {
  const k = countField(segments, field);
  if (k === 0 || vars[field] === "") return vars;
  // A one-code-point stand-in measures everything else, separators included.
  const rest = codePointLength(render(segments, { ...vars, [field]: "\uE000" })) - k;
  const room = Math.floor((maxChars - rest) / k);
  const value = room >= MIN_FIELD_CHARS ? shortenText(vars[field], room) : "";
  return { ...vars, [field]: value };
}

/**
 * Renders a notice from a template with `{title}`, `{url}`, `{shortUrl}`, `{siteUrl}` and
 * `{teaser}`; at most `maxChars` code points. If even the URLs and the template's own text
 * do not fit, the result is the best URL alone (shortUrl, url, then siteUrl), kept whole
 * even if it is longer than the limit: a cut URL would be a broken link.
 */
export function renderNoticeText(
  template: string,
  vars: NoticeVars,
  maxChars = NOTICE_MAX_CHARS,
): string {
  const segments = parsedTemplate(template);
  let v: NoticeVars = {
    title: collapseWhitespace(vars.title),
    url: vars.url.trim(),
    shortUrl: vars.shortUrl.trim(),
    siteUrl: displaySiteUrl(vars.siteUrl.trim()),
    teaser: collapseWhitespace(vars.teaser),
  };
  let text = render(segments, v);
  for (const field of ["teaser", "title"] as const) {
    if (codePointLength(text) <= maxChars) return text;
    v = fitField(segments, v, field, maxChars);
    text = render(segments, v);
  }
  if (codePointLength(text) <= maxChars) return text;
  const url = URL_PRIORITY.find((f) => countField(segments, f) > 0 && v[f] !== "");
  return url ? v[url] : shortenText(text, maxChars);
}

/** A front-matter `notice:` override, whitespace collapsed and capped like any notice. */
export function capNoticeOverride(
  text: string,
  maxChars = NOTICE_MAX_CHARS,
): { text: string; truncated: boolean } {
  const collapsed = collapseWhitespace(text);
  if (codePointLength(collapsed) <= maxChars) return { text: collapsed, truncated: false };
  return { text: shortenText(collapsed, maxChars), truncated: true };
}
