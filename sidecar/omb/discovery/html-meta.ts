/**
 * Finds `<meta http-equiv="X-XRDS-Location" content="...">` in a profile page's head.
 *
 * No HTML parser is a dependency, and a regex over `<meta ...>` can backtrack quadratically
 * on a hostile 1 MiB page with an unclosed quote. So this is a small linear scanner that
 * follows the HTML tokenizer where it matters: comments, `<!...>`/`<?...>` declarations and
 * raw-text elements (script, style, title, textarea) are skipped; attribute names are
 * case-insensitive, values quoted either way or unquoted, in any order; the first of a
 * repeated attribute wins; character references in values are decoded. Scanning stops at
 * `</head>` or `<body>`, as Yadis only looks in the head (a missing `<head>` is tolerated).
 * The scan is bounded by HEAD_LIMITS: past them, without a location found, the page is
 * refused with a MarkupLimitError saying which cap it broke.
 */
import {
  MarkupLimitError,
  type MarkupLimitKind,
  type MarkupLimits,
  markupLimitError,
} from "../../../protocol/omb/xml-limits.js";

/** A real profile page's head (StatusNet, Laconica) is a few KB with a few dozen tags. */
export const HEAD_LIMITS: MarkupLimits = {
  maxBytes: 256 * 1024,
  maxDepth: Number.POSITIVE_INFINITY,
  maxElements: 2000,
  maxAttributes: 64,
  maxNamespaceDeclarations: Number.POSITIVE_INFINITY,
  typical: {
    bytes: "ends its head within a few KB",
    depth: "",
    elements: "has a few dozen",
    attributes: "has a handful on a tag",
    namespaces: "",
  },
};
const HEAD_PHRASE: Partial<Record<MarkupLimitKind, (n: number) => string>> = {
  bytes: (n) => `does not end its head within its first ${n} characters`,
  elements: (n) => `has more than ${n} tags before its head ends`,
  attributes: (n) => `has a tag with more than ${n} attributes`,
};

const LOCATION_NAMES = ["x-xrds-location", "x-yadis-location"] as const;
const RAW_TEXT = new Set(["script", "style", "title", "textarea", "noscript"]);
const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\f"]);
const TAG_NAME = /<(\/?)([A-Za-z][^\s/>]*)/y;

/**
 * The raw (unresolved) XRDS location the page declares, X-XRDS-Location first, or null.
 * `what` names the page in a MarkupLimitError ("the profile page https://…").
 */
export function findXrdsLocationInHtml(html: string, what = "the page"): string | null {
  const found = new Map<string, string>();
  const location = () => LOCATION_NAMES.map((name) => found.get(name)).find(Boolean) ?? null;
  try {
    for (const attrs of headMetaTags(html, what)) {
      const equiv = attrs.get("http-equiv")?.trim().toLowerCase();
      const content = attrs.get("content")?.trim();
      if (!equiv || !content || found.has(equiv)) continue;
      found.set(equiv, content);
      // The first X-XRDS-Location wins whatever follows: no need to read further.
      if (equiv === LOCATION_NAMES[0]) break;
    }
  } catch (err) {
    // Past a cap, a location already read is still the page's answer.
    if (!(err instanceof MarkupLimitError) || !location()) throw err;
  }
  return location();
}

/** The attributes of every `<meta>` tag before the head ends, within HEAD_LIMITS. */
function* headMetaTags(html: string, what: string): Generator<Map<string, string>> {
  const over = (kind: MarkupLimitKind) =>
    markupLimitError(kind, HEAD_LIMITS, what, HEAD_PHRASE[kind]);
  let tags = 0;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) return;
    if (lt >= HEAD_LIMITS.maxBytes) throw over("bytes");
    if (html.startsWith("<!--", lt)) {
      i = after(html, "-->", lt + 4);
      continue;
    }
    if (html[lt + 1] === "!" || html[lt + 1] === "?") {
      i = after(html, ">", lt);
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const tag = TAG_NAME.exec(html);
    if (!tag) {
      i = lt + 1;
      continue;
    }
    if (++tags > HEAD_LIMITS.maxElements) throw over("elements");
    const closing = tag[1] === "/";
    const name = (tag[2] ?? "").toLowerCase();
    const { attrs, end, tooMany } = readAttributes(html, TAG_NAME.lastIndex);
    if (tooMany) throw over("attributes");
    i = end;
    if (closing ? name === "head" : name === "body") return;
    if (closing) continue;
    if (name === "meta") yield attrs;
    else if (RAW_TEXT.has(name)) i = skipRawText(html, name, i);
  }
}

/** Index just past the next `needle` from `from`, or the end of the text. */
function after(html: string, needle: string, from: number): number {
  const at = html.indexOf(needle, from);
  return at < 0 ? html.length : at + needle.length;
}

function skipRawText(html: string, name: string, from: number): number {
  const close = new RegExp(`</${name}[\\s/>]`, "gi");
  close.lastIndex = from;
  const m = close.exec(html);
  return m ? m.index : html.length;
}

/**
 * Attributes from `start` up to and including the tag's `>`; every step consumes input.
 * Stops with `tooMany` at the attribute past HEAD_LIMITS.maxAttributes (repeats counted).
 */
function readAttributes(
  html: string,
  start: number,
): { attrs: Map<string, string>; end: number; tooMany?: true } {
  const attrs = new Map<string, string>();
  let count = 0;
  let j = start;
  const skipSpace = () => {
    while (j < html.length && WHITESPACE.has(html[j] as string)) j++;
  };
  while (j < html.length) {
    skipSpace();
    const c = html[j];
    if (c === undefined) break;
    if (c === ">") return { attrs, end: j + 1 };
    if (c === "/") {
      j++;
      continue;
    }
    if (++count > HEAD_LIMITS.maxAttributes) return { attrs, end: j, tooMany: true };
    const nameStart = j++;
    while (j < html.length && !/[\s/>=]/.test(html[j] as string)) j++;
    const name = html.slice(nameStart, j).toLowerCase();
    skipSpace();
    let value = "";
    if (html[j] === "=") {
      j++;
      skipSpace();
      const quote = html[j];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, j + 1);
        const stop = close < 0 ? html.length : close;
        value = html.slice(j + 1, stop);
        j = stop + 1;
      } else {
        const valueStart = j;
        while (j < html.length && !/[\s>]/.test(html[j] as string)) j++;
        value = html.slice(valueStart, j);
      }
    }
    if (!attrs.has(name)) attrs.set(name, decodeCharacterReferences(value));
  }
  return { attrs, end: html.length };
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes numeric references and the five XML entities: enough for URLs in attributes. */
export function decodeCharacterReferences(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const hex = ref[1] === "x" || ref[1] === "X";
      const code = Number.parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}
