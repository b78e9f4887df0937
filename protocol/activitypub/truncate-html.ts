/**
 * Sanitized HTML cut to a size receivers accept: Mastodon refuses an incoming activity over
 * 1 MB of JSON, and an object carries its content twice (`content` and `contentMap`).
 */
import sanitizeHtml from "sanitize-html";
import { ALLOWED_SCHEMES } from "./sanitize.js";

/** The content budget: twice this, JSON-escaped, plus the rest of an activity stays under 1 MB. */
export const MAX_CONTENT_BYTES = 400_000;

export const ELLIPSIS = "…";

/** Bytes `s[i]` (a whole code point) takes in UTF-8 JSON, and how many code units it spans. */
function jsonCost(s: string, i: number): [bytes: number, units: number] {
  const c = s.codePointAt(i) ?? 0;
  if (
    c === 0x22 ||
    c === 0x5c ||
    c === 0x08 ||
    c === 0x09 ||
    c === 0x0a ||
    c === 0x0c ||
    c === 0x0d
  )
    return [2, 1];
  if (c < 0x20) return [6, 1];
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdfff) return [6, 1]; // a lone surrogate, escaped by JSON.stringify
  if (c < 0x10000) return [3, 1];
  return [4, 2];
}

/** The bytes `s` takes as a UTF-8 JSON string, without its quotes. */
export function jsonByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; ) {
    const [b, units] = jsonCost(s, i);
    bytes += b;
    i += units;
  }
  return bytes;
}

/** The longest prefix length of `s` that fits in `budget` JSON bytes. */
function fittingLength(s: string, budget: number): number {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const [b, units] = jsonCost(s, i);
    if (bytes + b > budget) break;
    bytes += b;
    i += units;
  }
  return i;
}

/**
 * Where to cut `html` at or before `end`: before a tag that `end` falls in, else in the text,
 * before a character reference cut in half, at a space when one is near.
 */
function cutPoint(html: string, end: number): number {
  const head = html.slice(0, end);
  const tagStart = head.lastIndexOf("<");
  if (tagStart > head.lastIndexOf(">")) return tagStart;
  const amp = head.lastIndexOf("&");
  const textEnd = amp > head.lastIndexOf(";") ? amp : end;
  const space = html.lastIndexOf(" ", textEnd);
  return space > tagStart && textEnd - space < 100 ? space : textEnd;
}

/** `html` with every element left open closed (no filtering: the input is sanitized already). */
function balance(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    allowedSchemes: ALLOWED_SCHEMES,
  });
}

/**
 * Sanitized `html` cut so it takes at most `maxBytes` as a UTF-8 JSON string, ending with an
 * ellipsis inside the elements left open, which are closed. Unchanged when it fits.
 */
export function truncateHtml(
  html: string,
  maxBytes = MAX_CONTENT_BYTES,
): { html: string; truncated: boolean } {
  if (jsonByteLength(html) <= maxBytes) return { html, truncated: false };
  let budget = maxBytes - jsonByteLength(ELLIPSIS);
  // Closing the open elements adds bytes: cut shorter by the overshoot and retry.
  for (let attempt = 0; attempt < 8 && budget > 0; attempt++) {
    const cut = balance(html.slice(0, cutPoint(html, fittingLength(html, budget))) + ELLIPSIS);
    const over = jsonByteLength(cut) - maxBytes;
    if (over <= 0) return { html: cut, truncated: true };
    budget -= over;
  }
  return { html: ELLIPSIS, truncated: true };
}
