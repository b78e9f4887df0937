/** A post's plain text for its notice: HTML and light Markdown to text, and its teaser. */

/** Only this much of a post's text is looked at for the teaser: more never fits. */
const TEASER_SOURCE_CHARS = 600;

export function collapseWhitespace(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
};

/**
 * Named and numeric character references. As HTML's parser does, a numeric one naming 0, a
 * surrogate (U+D800–DFFF) or a value past U+10FFFF becomes U+FFFD: a lone surrogate in the
 * text could never be encoded into a delivery (encodeURIComponent throws on it).
 */
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const cp =
        name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      const invalid = cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff);
      return invalid ? "\uFFFD" : String.fromCodePoint(cp);
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Tags that separate words; any other tag (em, a, code…) sits inside a word's flow. */
const BLOCK_TAG =
  /<\/?(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|td|th|tr|ul)\b[^>]*>/gi;

/** HTML to plain text: scripts, styles and tags removed, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style|template)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(BLOCK_TAG, " ")
    .replace(/<[^>]*>/g, "");
  return collapseWhitespace(decodeEntities(text));
}

/** Light Markdown to plain text: headings, emphasis, code marks, images and link targets. */
export function markdownToText(md: string): string {
  return collapseWhitespace(
    md
      .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/^\s{0,3}(?:#{1,6}|>+|[-*+]|\d+\.)\s+/gm, "")
      .replace(/(^|\W)(\*{1,3}|_{1,3}|`+|~~)(\S(?:[\s\S]*?\S)?)\2(?!\w)/g, "$1$3"),
  );
}

/** The first non-empty paragraph of a post's body (HTML as Eleventy renders it, or Markdown). */
export function firstParagraphText(content: string): string {
  const head = content.slice(0, 20_000);
  if (/<p[\s>]/i.test(head)) {
    for (const m of head.matchAll(/<p\b[^>]*>([\s\S]*?)<\/p\s*>/gi)) {
      const text = htmlToText(m[1] ?? "");
      if (text !== "") return text;
    }
    return "";
  }
  for (const block of head.split(/\n\s*\n/)) {
    const text = htmlToText(markdownToText(block));
    if (text !== "") return text;
  }
  return "";
}

/**
 * A post's teaser: its `description` or `excerpt` front matter, else the first paragraph of
 * its text. Only the start is kept (it is shortened to fit the notice anyway).
 */
export function noticeTeaser(
  data: { description?: unknown; excerpt?: unknown },
  content: string,
): string {
  const given = [data.description, data.excerpt].find(
    (v) => typeof v === "string" && v.trim() !== "",
  );
  const text = typeof given === "string" ? collapseWhitespace(given) : firstParagraphText(content);
  if (text.length <= TEASER_SOURCE_CHARS) return text;
  // Never leave half a surrogate pair at the end of the slice.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(TEASER_SOURCE_CHARS - 1))
    ? TEASER_SOURCE_CHARS - 1
    : TEASER_SOURCE_CHARS;
  return text.slice(0, end);
}
