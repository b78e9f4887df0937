/** Cost bounds for markup from remote peers: a linear pre-scan that refuses oversized XML before any DOM parse. */

/**
 * A DOM parse of hostile XML is synchronous and can cost seconds (xmldom resolves every
 * namespace prefix against every ancestor, so 50,000 nested `<a xmlns:q="u">` take over a
 * minute). So every parser of remote markup first runs `checkXmlCost`: one pass, O(length),
 * no allocation per element, stopping at the first cap exceeded. Counting errs on the high
 * side (text it cannot classify is counted, never skipped), so a document that passes is
 * at most as costly as its caps.
 */

export type MarkupLimitKind = "bytes" | "depth" | "elements" | "attributes" | "namespaces";

export interface MarkupLimits {
  /** UTF-8 bytes. */
  maxBytes: number;
  /** Elements open at once. */
  maxDepth: number;
  /** Start tags in the whole document. */
  maxElements: number;
  /** Attributes on one element. */
  maxAttributes: number;
  /** `xmlns` / `xmlns:*` attributes in the whole document. */
  maxNamespaceDeclarations: number;
  /** What a real document of this kind looks like, for messages ("about 3 KB", "3 levels"). */
  typical: Record<MarkupLimitKind, string>;
}

export class MarkupLimitError extends Error {
  override name = "MarkupLimitError";
  constructor(
    readonly kind: MarkupLimitKind,
    readonly limit: number,
    message: string,
  ) {
    super(message);
  }
}

const PHRASE: Record<MarkupLimitKind, (limit: number) => string> = {
  bytes: (n) => `is larger than ${n} bytes`,
  depth: (n) => `nests deeper than ${n} elements`,
  elements: (n) => `has more than ${n} elements`,
  attributes: (n) => `has an element with more than ${n} attributes`,
  namespaces: (n) => `declares more than ${n} XML namespaces`,
};

/** The refusal for `what` ("the XRDS at https://…") past `kind`'s cap, saying why. */
export function markupLimitError(
  kind: MarkupLimitKind,
  limits: MarkupLimits,
  what: string,
  phrase: (limit: number) => string = PHRASE[kind],
): MarkupLimitError {
  const limit = {
    bytes: limits.maxBytes,
    depth: limits.maxDepth,
    elements: limits.maxElements,
    attributes: limits.maxAttributes,
    namespaces: limits.maxNamespaceDeclarations,
  }[kind];
  return new MarkupLimitError(
    kind,
    limit,
    `${what} ${phrase(limit)}; a real one ${limits.typical[kind]}, so it is refused unread`,
  );
}

/** Throws MarkupLimitError if `text` is over `limits.maxBytes` UTF-8 bytes. */
export function checkByteLength(text: string, limits: MarkupLimits, what: string): void {
  // A UTF-16 code unit is at least one UTF-8 byte, so the cheap test settles most cases.
  if (text.length > limits.maxBytes || Buffer.byteLength(text, "utf8") > limits.maxBytes) {
    throw markupLimitError("bytes", limits, what);
  }
}

const SPACE = new Set([" ", "\t", "\n", "\r"]);
/** Characters that end an attribute name. */
const NAME_END = new Set([" ", "\t", "\n", "\r", "=", "/", ">"]);

/**
 * One pass over `text` counting bytes, depth, elements, attributes per element and
 * namespace declarations; throws MarkupLimitError at the first cap exceeded. It checks
 * nothing else: well-formedness is the real parser's job.
 */
export function checkXmlCost(text: string, limits: MarkupLimits, what: string): void {
  checkByteLength(text, limits, what);
  const over = (kind: MarkupLimitKind) => markupLimitError(kind, limits, what);
  const end = text.length;
  /** Index just past the next `needle` from `from`, or the end of the text. */
  const past = (needle: string, from: number) => {
    const at = text.indexOf(needle, from);
    return at < 0 ? end : at + needle.length;
  };
  let depth = 0;
  let elements = 0;
  let namespaces = 0;
  let i = 0;
  while (i < end) {
    const lt = text.indexOf("<", i);
    if (lt < 0) return;
    const next = text[lt + 1];
    if (next === "!") {
      if (text.startsWith("<!--", lt)) i = past("-->", lt + 4);
      else if (text.startsWith("<![CDATA[", lt)) i = past("]]>", lt + 9);
      // DOCTYPE and other declarations: to the first `>`; an internal subset is then
      // scanned as if it were elements, which only counts more.
      else i = past(">", lt + 2);
      continue;
    }
    if (next === "?") {
      i = past("?>", lt + 2);
      continue;
    }
    if (next === "/") {
      if (depth > 0) depth--;
      i = past(">", lt + 2);
      continue;
    }
    if (++elements > limits.maxElements) throw over("elements");
    if (++depth > limits.maxDepth) throw over("depth");
    // The tag name, then attributes up to `>` or `/>`; every step consumes input.
    let j = lt + 1;
    while (j < end && !NAME_END.has(text[j] as string)) j++;
    let attributes = 0;
    for (;;) {
      while (j < end && SPACE.has(text[j] as string)) j++;
      const c = text[j];
      if (c === undefined) return;
      if (c === ">") {
        j++;
        break;
      }
      if (c === "/") {
        j++;
        if (text[j] === ">") {
          depth--;
          j++;
          break;
        }
        continue;
      }
      const nameStart = j;
      while (j < end && !NAME_END.has(text[j] as string)) j++;
      if (j === nameStart) {
        // A stray "=": consume it so the loop moves on.
        j++;
        continue;
      }
      if (++attributes > limits.maxAttributes) throw over("attributes");
      if (
        text.startsWith("xmlns", nameStart) &&
        (j === nameStart + 5 || text[nameStart + 5] === ":")
      ) {
        if (++namespaces > limits.maxNamespaceDeclarations) throw over("namespaces");
      }
      while (j < end && SPACE.has(text[j] as string)) j++;
      if (text[j] !== "=") continue;
      j++;
      while (j < end && SPACE.has(text[j] as string)) j++;
      const quote = text[j];
      if (quote === '"' || quote === "'") {
        j = past(quote, j + 1);
      } else {
        while (j < end && !NAME_END.has(text[j] as string)) j++;
      }
    }
    i = j;
  }
}

/** Caps for an XRDS document: real ones (Laconica, StatusNet, libomb) are ~2.5 KB, 45 elements, 4 levels, ≤ 7 namespace declarations. */
export const XRDS_LIMITS: MarkupLimits = {
  maxBytes: 64 * 1024,
  maxDepth: 16,
  maxElements: 512,
  maxAttributes: 16,
  maxNamespaceDeclarations: 64,
  typical: {
    bytes: "is about 3 KB",
    depth: "is 4 levels deep",
    elements: "has about 45",
    attributes: "has at most 4 on an element",
    namespaces: "declares 2 or 3",
  },
};

/** Caps for an RSS/Atom feed read at build time: far above real feeds (tens of entries, ≤ 10 levels), far below what stalls a build. */
export const FEED_LIMITS: MarkupLimits = {
  maxBytes: 5 * 1024 * 1024,
  maxDepth: 48,
  maxElements: 50_000,
  maxAttributes: 64,
  maxNamespaceDeclarations: 2_000,
  typical: {
    bytes: "is well under 1 MB",
    depth: "is under 10 levels deep, XHTML content included",
    elements: "has a few thousand at most",
    attributes: "has a handful on an element",
    namespaces: "declares under 20, one per XHTML entry at most",
  },
};
