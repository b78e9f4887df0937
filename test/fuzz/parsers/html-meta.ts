/**
 * The <meta http-equiv="X-XRDS-Location"> scanner (sidecar/omb/discovery/html-meta.ts) reads a
 * remote profile page of up to 1 MiB: it must never throw (but a MarkupLimitError past the
 * head's caps), must take linear time on pages
 * built to make scanners backtrack, and must find the tag among any benign markup.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { MarkupLimitError } from "../../../protocol/omb/xml-limits.js";
import {
  decodeCharacterReferences,
  findXrdsLocationInHtml,
} from "../../../sidecar/omb/discovery/html-meta.js";
import { hostileText, type Property, property, tokenSoup } from "../property.js";

const TOKENS = [
  "<head>",
  "</head>",
  "<body>",
  "<meta ",
  '<meta http-equiv="X-XRDS-Location" content="http://peer.example/xrds">',
  "<META HTTP-EQUIV=x-yadis-location CONTENT=/y>",
  "http-equiv=",
  "content=",
  '"',
  "'",
  "=",
  ">",
  "/>",
  "<",
  "</",
  "<!--",
  "-->",
  "<!DOCTYPE html>",
  "<?xml?>",
  "<script>",
  "</script>",
  "<style>",
  "<title>",
  "</title ",
  "<textarea>",
  "&amp;",
  "&#x3C;",
  "&#0;",
  "&#xD800;",
  "&#1114112;",
  "&#99999999;",
  " ",
  "\t",
  "\n",
];

/** Pages built to make a regex-based scanner backtrack or loop, ~`size` characters. */
const BLOW_UPS = [
  "<meta ",
  '<meta content="',
  "<meta http-equiv='",
  "<meta a=",
  "<meta a ",
  "<a b=c ",
  "<!--",
  "<!-- -- ",
  "<script>",
  "<script><",
  "</scrip",
  "<",
  "<x",
  "<!",
  "&#x",
  "&#x1;",
  "==",
  "\"'",
];

const word = fc.stringMatching(/^[a-z]{1,8}$/);
/** A tag with attributes whose values hold no quote (benign markup around the meta). */
const benignTag = fc
  .tuple(
    fc.constantFrom("link", "meta", "base", "div", "span", "p", "img", "a"),
    fc.array(fc.tuple(word, word, fc.constantFrom('"', "'", "")), { maxLength: 4 }),
  )
  .map(([name, attrs]) => `<${name}${attrs.map(([k, v, q]) => ` ${k}=${q}${v}${q}`).join("")}>`);
const location = fc.webUrl({ withQueryParameters: true });
/** The meta tag with its attributes in any order, any quoting, any case. */
const xrdsMeta = fc
  .tuple(
    location,
    fc.constantFrom("X-XRDS-Location", "x-xrds-location", "X-Xrds-LOCATION"),
    fc.constantFrom('"', "'"),
    fc.boolean(),
    fc.constantFrom(" ", "\n", "\t  "),
    fc.boolean(),
  )
  .map(([url, equiv, q, contentFirst, space, selfClosing]) => {
    const e = `http-equiv=${q}${equiv}${q}`;
    const escaped = url.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
    const c = `CONTENT=${q}${escaped}${q}`;
    const attrs = contentFirst ? [c, e] : [e, c];
    return { url, tag: `<meta${space}${attrs.join(space)}${selfClosing ? " />" : ">"}` };
  });

export const properties: Record<string, Property> = {
  "any page: null or a trimmed, non-empty location": property(
    fc.oneof(hostileText(500), tokenSoup(TOKENS, 80)),
    (html) => {
      const found = findXrdsLocationInHtml(html);
      if (found !== null) {
        assert.equal(typeof found, "string");
        assert.notEqual(found, "");
        assert.equal(found, found.trim());
      }
    },
  ),

  "finds the meta tag among benign markup in the head": property(
    fc.tuple(
      fc.array(benignTag, { maxLength: 8 }),
      xrdsMeta,
      fc.array(benignTag, { maxLength: 8 }),
      fc.boolean(),
    ),
    ([before, meta, after, withHead]) => {
      const head = [...before, meta.tag, ...after].join("\n");
      const html = withHead
        ? `<!DOCTYPE html><html><head>${head}</head><body><meta http-equiv="X-XRDS-Location" content="http://wrong.example/"></body></html>`
        : head;
      assert.equal(findXrdsLocationInHtml(html), meta.url);
    },
  ),

  "linear time on 1 MiB pages built to make scanners backtrack": property(
    fc.tuple(fc.constantFrom(...BLOW_UPS), fc.integer({ min: 64 * 1024, max: 1024 * 1024 })),
    ([unit, size]) => {
      // Past the head's caps the scan stops with a MarkupLimitError; anything else is a bug.
      try {
        findXrdsLocationInHtml(unit.repeat(Math.ceil(size / unit.length)));
      } catch (err) {
        if (!(err instanceof MarkupLimitError)) throw err;
      }
    },
    // a linear scan of 1 MiB takes milliseconds; quadratic would take minutes
    { runs: 40, maxRunMs: 1500 },
  ),

  "decodeCharacterReferences never throws": property(
    fc.oneof(hostileText(200), tokenSoup(TOKENS)),
    (text) => {
      assert.equal(typeof decodeCharacterReferences(text), "string");
    },
  ),
};
