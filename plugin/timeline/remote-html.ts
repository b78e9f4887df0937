/** An ActivityPub post's HTML as the timeline shows it, and as plain text for templates. */
import sanitizeHtml from "sanitize-html";
import { sanitizeRemoteHtml } from "../../protocol/activitypub/sanitize.js";

/**
 * After Mastodon's allow-list has cut the tags and attributes, links keep only http(s)
 * schemes, as everywhere else on the timeline (mailto:, ipfs:, … stay text).
 */
const HTTP_LINKS_ONLY: sanitizeHtml.IOptions = {
  allowedTags: false,
  allowedAttributes: false,
  allowedSchemes: ["http", "https"],
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
};

/**
 * Remote post HTML cut to Mastodon's allow-list (sanitizeRemoteHtml: no script, style,
 * event handler, image or iframe; text cleaned of bidi controls), links http(s) only.
 * Safe to output unescaped; the sidecar did the same, this is the plugin's own check.
 */
export function timelineHtml(remote: string): string {
  return sanitizeHtml(sanitizeRemoteHtml(remote), HTTP_LINKS_ONLY);
}

/** Where sanitized HTML ends a line or a block (sanitize-html writes these forms). */
const LINE_BREAK = /<br \/>/g;
const BLOCK_END = /<\/(?:p|li|blockquote|pre)>/g;

/**
 * The text of HTML that `timelineHtml` gave, for templates that show `entry.text`: tags
 * dropped, a line feed per line break and a blank line between blocks, entities decoded.
 */
export function htmlText(safe: string): string {
  const marked = safe.replace(LINE_BREAK, "$&\n").replace(BLOCK_END, "$&\n\n");
  // sanitize-html escapes exactly &, < and > in text: undone in reverse order.
  return sanitizeHtml(marked, { allowedTags: [], allowedAttributes: {} })
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
