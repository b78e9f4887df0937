import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { MarkupLimitError } from "../../../protocol/omb/xml-limits.js";
import { decodeCharacterReferences, findXrdsLocationInHtml, HEAD_LIMITS } from "./html-meta.js";

const page = (head: string, body = "<p>hi</p>") =>
  `<!DOCTYPE html><html><head><title>t</title>${head}</head><body>${body}</body></html>`;

describe("findXrdsLocationInHtml", () => {
  it("reads the meta tag of the captured StatusNet/libomb profile page", () => {
    const html = readFileSync(
      new URL("../../../test/fixtures/yadis/alice-profile.html", import.meta.url),
      "utf8",
    );
    assert.equal(findXrdsLocationInHtml(html), "http://127.0.0.1:8001/alice/xrds");
  });

  const found: [string, string, string][] = [
    ["double quotes", '<meta http-equiv="X-XRDS-Location" content="/x">', "/x"],
    ["single quotes", "<meta http-equiv='X-XRDS-Location' content='/x'>", "/x"],
    ["unquoted values", "<meta http-equiv=X-XRDS-Location content=/x>", "/x"],
    ["content first", '<meta content="/x" http-equiv="X-XRDS-Location" />', "/x"],
    ["any case", '<META HTTP-EQUIV="x-xrds-location" CONTENT="/x">', "/x"],
    ["spaces around =", '<meta  http-equiv = "X-XRDS-Location"\n\tcontent = "/x" >', "/x"],
    [
      "a > inside a quoted value",
      '<meta name="a>b" http-equiv="X-XRDS-Location" content="/x?a>b">',
      "/x?a>b",
    ],
    [
      "entities in the URL",
      '<meta http-equiv="X-XRDS-Location" content="/index.php?action=xrds&amp;nickname=alice">',
      "/index.php?action=xrds&nickname=alice",
    ],
    ["surrounding whitespace", '<meta http-equiv=" X-XRDS-Location " content="  /x  ">', "/x"],
    ["X-YADIS-Location", '<meta http-equiv="X-YADIS-Location" content="/y">', "/y"],
    [
      "X-XRDS-Location before X-YADIS-Location",
      '<meta http-equiv="X-YADIS-Location" content="/y"><meta http-equiv="X-XRDS-Location" content="/x">',
      "/x",
    ],
    [
      "the first of two",
      '<meta http-equiv="X-XRDS-Location" content="/1"><meta http-equiv="X-XRDS-Location" content="/2">',
      "/1",
    ],
    [
      "the first of a repeated attribute",
      '<meta http-equiv="X-XRDS-Location" content="/1" content="/2">',
      "/1",
    ],
    [
      "after other metas",
      '<meta charset="utf-8"><meta name="x" content="/no"><meta http-equiv="X-XRDS-Location" content="/x">',
      "/x",
    ],
  ];
  for (const [label, head, expected] of found) {
    it(`finds it with ${label}`, () => {
      assert.equal(findXrdsLocationInHtml(page(head)), expected);
    });
  }

  it("tolerates a page without <head> or <html>", () => {
    assert.equal(
      findXrdsLocationInHtml('<meta http-equiv="X-XRDS-Location" content="/x"><p>x</p>'),
      "/x",
    );
  });

  const notFound: [string, string][] = [
    ["no meta at all", page("")],
    ["a meta in the body", page("", '<meta http-equiv="X-XRDS-Location" content="/x">')],
    ["a meta after </head>", '<html><head></head><meta http-equiv="X-XRDS-Location" content="/x">'],
    ["a commented-out meta", page('<!-- <meta http-equiv="X-XRDS-Location" content="/x"> -->')],
    [
      "a meta inside a script",
      page('<script>document.write(\'<meta http-equiv="X-XRDS-Location" content="/x">\')</script>'),
    ],
    [
      "a meta inside the title",
      '<html><head><title><meta http-equiv="X-XRDS-Location" content="/x"></title></head>',
    ],
    ["an empty content", page('<meta http-equiv="X-XRDS-Location" content="">')],
    ["another http-equiv", page('<meta http-equiv="refresh" content="0;url=/x">')],
    ["a name= instead of http-equiv", page('<meta name="X-XRDS-Location" content="/x">')],
    ["a look-alike tag", page('<metadata http-equiv="X-XRDS-Location" content="/x">')],
  ];
  for (const [label, html] of notFound) {
    it(`ignores ${label}`, () => {
      assert.equal(findXrdsLocationInHtml(html), null);
    });
  }

  it("finds the meta after a script and a comment that contain </head>-like text", () => {
    const head =
      '<script>var s = "</head>";</script><!-- </head> --><meta http-equiv="X-XRDS-Location" content="/x">';
    assert.equal(findXrdsLocationInHtml(page(head)), "/x");
  });

  it("ends on truncated or hostile input, in linear time", () => {
    assert.equal(
      findXrdsLocationInHtml('<head><meta http-equiv="X-XRDS-Location" content="/x'),
      "/x",
    );
    assert.equal(findXrdsLocationInHtml("<head><meta http-equiv"), null);
    assert.equal(findXrdsLocationInHtml("<"), null);
    assert.equal(findXrdsLocationInHtml("<!--"), null);
    const hostile = '<meta a="'.repeat(50_000) + "<meta a='".repeat(50_000) + "<".repeat(100_000);
    const started = performance.now();
    assert.throws(() => findXrdsLocationInHtml(`<head>${hostile}`), MarkupLimitError);
    assert.ok(performance.now() - started < 1000, "scanned about 1 MB quickly");
  });

  it("refuses a head past HEAD_LIMITS, saying which cap and what a real page has", () => {
    const refused = (html: string, message: RegExp) =>
      assert.throws(
        () => findXrdsLocationInHtml(html, "the profile page http://p.example/"),
        (err) => err instanceof MarkupLimitError && message.test(err.message),
      );
    const n = HEAD_LIMITS.maxElements;
    refused(
      `<head>${"<link>".repeat(n + 1)}`,
      new RegExp(
        `^the profile page http://p.example/ has more than ${n} tags before its head ends; a real one has a few dozen`,
      ),
    );
    refused(
      `<head><meta ${"a ".repeat(HEAD_LIMITS.maxAttributes + 1)}>`,
      /has a tag with more than 64 attributes/,
    );
    refused(
      `<head><style>${"x".repeat(HEAD_LIMITS.maxBytes)}</style><meta>`,
      new RegExp(`does not end its head within its first ${HEAD_LIMITS.maxBytes} characters`),
    );
    // Within the caps, or with the location found before them, the page still answers.
    const meta = '<meta http-equiv="X-XRDS-Location" content="/x">';
    assert.equal(findXrdsLocationInHtml(page("<link>".repeat(n - 10) + meta)), "/x");
    assert.equal(findXrdsLocationInHtml(`<head>${meta}${"<link>".repeat(n * 2)}`), "/x");
  });
});

describe("decodeCharacterReferences", () => {
  it("decodes numeric references and the XML entities, leaving the rest", () => {
    assert.equal(
      decodeCharacterReferences("a&amp;b&#38;c&#x26;d&lt;&gt;&quot;&apos;"),
      "a&b&c&d<>\"'",
    );
    assert.equal(decodeCharacterReferences("&nbsp;&#0;&#x110000;&amp"), "&nbsp;&#0;&#x110000;&amp");
  });
});
