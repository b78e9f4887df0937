/**
 * Post HTML cut down to what Mastodon keeps, both ways: our posts before they go out, and
 * remote HTML (replies) before the site shows it. One allow-list serves both directions.
 */
import sanitizeHtml from "sanitize-html";
import { cleanRemoteText } from "../../contract/remote-text.js";

/** Link schemes Mastodon keeps (its LINK_PROTOCOLS), plus mailto. */
export const ALLOWED_SCHEMES = [
  "http",
  "https",
  "mailto",
  "dat",
  "dweb",
  "ipfs",
  "ipns",
  "ssb",
  "gopher",
  "xmpp",
  "magnet",
  "gemini",
];

/** Microformats classes, and the few Mastodon gives meaning to. */
const ALLOWED_CLASSES = [
  "h-*",
  "p-*",
  "u-*",
  "dt-*",
  "e-*",
  "mention",
  "hashtag",
  "ellipsis",
  "invisible",
];

const HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"];

/** Remote links open apart from the page and pass it no authority (Mastodon's own rel). */
const REMOTE_LINK = { rel: "nofollow noopener noreferrer", target: "_blank" } as const;

/** Every attribute value without bidi or control characters (text is done by `textFilter`). */
function cleanAttributes(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const clean: sanitizeHtml.Attributes = {};
  for (const [name, value] of Object.entries(attribs)) clean[name] = cleanRemoteText(value);
  return { tagName, attribs: clean };
}

/**
 * The shared allow-list. Headings are kept here only to be rewritten as bold paragraphs
 * afterwards (`boldHeadings`); elements outside the list are dropped with their text kept,
 * except those whose content is code or markup of its own (script, style, svg, …).
 */
const BASE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    "p",
    "span",
    "br",
    "a",
    "del",
    "pre",
    "code",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "blockquote",
    ...HEADINGS,
  ],
  allowedAttributes: {
    a: ["href", "rel", "class"],
    span: ["class"],
    ol: ["start", "reversed"],
    li: ["value"],
  },
  allowedClasses: { a: ALLOWED_CLASSES, span: ALLOWED_CLASSES },
  allowedSchemes: ALLOWED_SCHEMES,
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  nonTextTags: [
    "script",
    "style",
    "textarea",
    "option",
    "xmp",
    "noscript",
    "template",
    "title",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
  ],
  parseStyleAttributes: false,
  textFilter: (text) => cleanRemoteText(text),
  transformTags: { "*": cleanAttributes },
};

/** `<h2>x</h2>` → `<p><strong>x</strong></p>`; safe on sanitized output, where headings have no attributes. */
function boldHeadings(html: string): string {
  return html.replace(/<(\/?)h[1-6]>/g, (_m, close: string) =>
    close ? "</strong></p>" : "<p><strong>",
  );
}

/**
 * `href` resolved against `base` (kept only when absolute if there is none), or null when
 * it does not parse or its scheme is not allowed.
 */
function resolveHref(href: string | undefined, base: string | undefined): string | null {
  if (href === undefined) return null;
  const trimmed = href.trim();
  if (base === undefined && !/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return null;
  if (!URL.canParse(trimmed, base)) return null;
  const url = new URL(trimmed, base);
  return ALLOWED_SCHEMES.includes(url.protocol.slice(0, -1)) ? url.href : null;
}

function withHref(attribs: sanitizeHtml.Attributes, href: string | null): sanitizeHtml.Attributes {
  const { href: _old, ...rest } = attribs;
  return href === null ? rest : { ...rest, href };
}

/**
 * Our post's HTML as it goes out: links made absolute against `baseUrl` (the post's URL),
 * each image turned into a link to it named by its alt text.
 */
export function sanitizeOutgoingHtml(html: string, baseUrl?: string): string {
  const link = (attribs: sanitizeHtml.Attributes) =>
    withHref(attribs, resolveHref(attribs.href, baseUrl));
  return boldHeadings(
    sanitizeHtml(html, {
      ...BASE_OPTIONS,
      transformTags: {
        ...BASE_OPTIONS.transformTags,
        a: (_tag, attribs) => ({ tagName: "a", attribs: link(attribs) }),
        img: (_tag, attribs): sanitizeHtml.Tag => {
          const href = resolveHref(attribs.src, baseUrl);
          const alt = cleanRemoteText(attribs.alt ?? "").trim();
          // Without a usable URL only the alt text is left (an empty span, dropped below).
          if (href === null) return { tagName: "span", attribs: {}, text: alt };
          return { tagName: "a", attribs: { href }, text: alt || href };
        },
      },
      exclusiveFilter: (frame) =>
        // biome-ignore lint/performance/useDomNodeTextContent: a sanitize-html frame, not a DOM node: `innerText` is the text a transform gave (its types omit it).
        frame.tag === "img" && !(frame as { innerText?: string }).innerText,
    }),
  );
}

/**
 * HTML from another server (a reply's content) as the site may show it: relative links are
 * dropped (they have no base here), every link gets rel="nofollow noopener noreferrer" and
 * target="_blank", images are dropped.
 */
export function sanitizeRemoteHtml(html: string): string {
  return boldHeadings(
    sanitizeHtml(html, {
      ...BASE_OPTIONS,
      allowedAttributes: {
        ...BASE_OPTIONS.allowedAttributes,
        a: ["href", "rel", "class", "target"],
      },
      transformTags: {
        ...BASE_OPTIONS.transformTags,
        a: (_tag, attribs) => ({
          tagName: "a",
          attribs: { ...withHref(attribs, resolveHref(attribs.href, undefined)), ...REMOTE_LINK },
        }),
      },
    }),
  );
}
