/** Cleans text from other sites before it is rendered: no bidi controls, no control characters. */

/**
 * The characters removed from remote text (names, bios, locations, notice text, feed
 * titles) wherever the sidecar or the plugin renders it:
 * - the bidi controls: embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069,
 *   the marks U+200E/U+200F and U+061C. An unterminated U+202E in a name would reverse
 *   the text after it ("exe.gpj" tricks, a nickname swallowing "(subscribed)");
 * - C0 controls but tab and line feed, DEL, and the C1 controls U+0080–U+009F: invisible,
 *   or shown as boxes, or (U+0085) a line break the reader cannot see coming.
 * A carriage return (alone or in CRLF) becomes a line feed, so line breaks survive.
 * (`\p{Cc}` is exactly U+0000–U+001F and U+007F–U+009F; `\p{Bidi_Control}` exactly the
 * twelve bidi controls above.)
 * Right-to-left names still show right to left (their letters are untouched): the
 * renderers isolate them with `dir="auto"` or `<bdi>` next to our own text.
 */
const REMOVED = /(?![\t\n])[\p{Cc}\p{Bidi_Control}]/gu;

/** `s` without bidi controls and control characters (tab and line feed kept; CR → LF). */
export function cleanRemoteText(s: string): string {
  return s.replace(/\r\n?/g, "\n").replace(REMOVED, "");
}
