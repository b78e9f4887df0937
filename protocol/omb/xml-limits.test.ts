/** checkXmlCost and readXrds's use of it: each cap refuses with a reason, real documents pass with room to spare. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  checkXmlCost,
  FEED_LIMITS,
  MarkupLimitError,
  type MarkupLimitKind,
  type MarkupLimits,
  XRDS_LIMITS,
} from "./xml-limits.js";
import { CAPTURE, CAPTURE_URL, expectError, fixture } from "./xrds.test-helper.js";
import { readXrds } from "./xrds-read.js";

const TINY: MarkupLimits = {
  maxBytes: 200,
  maxDepth: 3,
  maxElements: 5,
  maxAttributes: 2,
  maxNamespaceDeclarations: 2,
  typical: {
    bytes: "is 10 bytes",
    depth: "is 2 deep",
    elements: "has 3",
    attributes: "has 1",
    namespaces: "declares 1",
  },
};

function refusedFor(xml: string, kind: MarkupLimitKind, limits = TINY): MarkupLimitError {
  let caught: unknown;
  assert.throws(
    () => checkXmlCost(xml, limits, "the doc"),
    (err) => {
      caught = err;
      return err instanceof MarkupLimitError && err.kind === kind;
    },
    `refused for ${kind}`,
  );
  return caught as MarkupLimitError;
}

describe("checkXmlCost", () => {
  it("refuses each cap, saying what was refused and what a real document has", () => {
    const bytes = refusedFor(`<a>${"é".repeat(101)}</a>`, "bytes");
    assert.equal(
      bytes.message,
      "the doc is larger than 200 bytes; a real one is 10 bytes, so it is refused unread",
    );
    assert.match(
      refusedFor("<a><b><c><d/></c></b></a>", "depth").message,
      /nests deeper than 3 elements; a real one is 2 deep/,
    );
    assert.match(
      refusedFor("<a><b/><b/><b/><b/><b/></a>", "elements").message,
      /has more than 5 elements/,
    );
    assert.match(
      refusedFor('<a x="1" y="2" z="3"/>', "attributes").message,
      /with more than 2 attributes/,
    );
    assert.match(
      refusedFor('<a xmlns="u"><b xmlns:p="u"/><b xmlns:q="u"/></a>', "namespaces").message,
      /declares more than 2 XML namespaces/,
    );
  });

  it("closing tags and self-closing tags bring the depth back", () => {
    checkXmlCost("<a><b><c/></b><b><c></c></b></a>", TINY, "the doc");
    refusedFor("<a><b><c><d>", "depth");
  });

  it("does not count markup inside comments, CDATA, PIs and quoted values", () => {
    checkXmlCost(
      '<?xml version="1.0"?><a><!-- <x><x><x><x> --><![CDATA[<x><x><x><x>]]><?pi <x><x><x>?><b v="<x><x><x>" w=\'>\'/></a>',
      TINY,
      "the doc",
    );
    refusedFor("<a><x><x><x><x></x></x></x></x></a>", "depth");
  });

  it("ends on truncated input, and on 1 MiB of hostile tags in one pass", () => {
    for (const bad of ["<", "<a", '<a b="', "<!--", "<![CDATA[", "<?", "</", "<a =", "<a/"]) {
      checkXmlCost(bad, TINY, "the doc");
    }
    const limits = {
      ...XRDS_LIMITS,
      maxBytes: 2 * 1024 * 1024,
      maxElements: Number.POSITIVE_INFINITY,
    };
    checkXmlCost(`<a ${"b ".repeat(15)}/>`.repeat(50_000), limits, "the doc");
    refusedFor('<a b="'.repeat(200_000), "attributes", limits);
  });

  it("counts `xmlns` and `xmlns:*` only", () => {
    checkXmlCost('<a xmlnsx="1" xmlns_y="2"/>', TINY, "the doc");
    refusedFor('<a xmlns="u" xmlns:p="u"/><b xmlns:q="u"/>', "namespaces");
  });
});

describe("XRDS_LIMITS and FEED_LIMITS leave room for real documents", () => {
  const files = readdirSync(new URL("../../test/fixtures/xrds/", import.meta.url));
  it("every captured XRDS passes at a quarter of each cap; 30 of them in a row do not", () => {
    const quarter: MarkupLimits = {
      ...XRDS_LIMITS,
      maxBytes: XRDS_LIMITS.maxBytes / 4,
      maxDepth: XRDS_LIMITS.maxDepth / 4,
      maxElements: XRDS_LIMITS.maxElements / 4,
      maxAttributes: XRDS_LIMITS.maxAttributes / 4,
      maxNamespaceDeclarations: XRDS_LIMITS.maxNamespaceDeclarations / 4,
    };
    const yadis = readFileSync(
      new URL("../../test/fixtures/yadis/alice-xrds.xml", import.meta.url),
      "utf8",
    );
    for (const xml of [...files.map(fixture), yadis]) {
      checkXmlCost(xml, quarter, "a capture");
      refusedFor(xml.repeat(30), "bytes", XRDS_LIMITS);
    }
  });

  it("a feed of 200 entries with XHTML content passes FEED_LIMITS; one of 7,000 does not", () => {
    const entry = `<entry><title>t</title><id>urn:x</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Some <em>text</em> and <a href="/x">a link</a>.</p></div></content></entry>`;
    const feed = (n: number) =>
      `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">${entry.repeat(n)}</feed>`;
    checkXmlCost(feed(200), FEED_LIMITS, "a feed");
    refusedFor(feed(7_000), "namespaces", FEED_LIMITS);
  });
});

describe("readXrds bounds its parse", () => {
  it("refuses a document over a cap as too-costly, before xmldom sees it", () => {
    const deep = CAPTURE.replace("<XRD ", `${"<a>".repeat(40)}${"</a>".repeat(40)}<XRD `);
    const err = expectError(() => readXrds(deep, CAPTURE_URL), "too-costly", CAPTURE_URL);
    assert.match(
      err.message,
      /^XRDS: the XRDS at \S+ nests deeper than 16 elements; a real one is 4 levels deep/,
    );
    const nested = `<XRDS xmlns="xri://$xrds">${'<a xmlns:q="u">'.repeat(50_000)}</XRDS>`;
    expectError(() => readXrds(nested, CAPTURE_URL), "too-costly", "larger than 65536 bytes");
  });

  it("applies the caps to a referenced document too", () => {
    const entry = CAPTURE.replace(
      /<URI>#oauth<\/URI>/,
      "<URI>http://127.0.0.1:8001/other#oauth</URI>",
    );
    assert.notEqual(entry, CAPTURE);
    const other = `<XRDS xmlns="xri://$xrds">${"<a/>".repeat(600)}</XRDS>`;
    const docs = new Map([["http://127.0.0.1:8001/other", other]]);
    expectError(() => readXrds(entry, CAPTURE_URL, docs), "too-costly", "more than 512 elements");
  });
});
