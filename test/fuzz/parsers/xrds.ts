/**
 * readXrds (protocol/omb/xrds.ts) on hostile documents: it returns six usable endpoints or
 * throws XrdsError, never anything else, and reads back whatever writeXrds wrote.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { TYPE, XRD_NS, XRDS_NS } from "../../../protocol/omb/constants.js";
import { type XrdsEndpoints, XrdsError, type XrdsErrorCode } from "../../../protocol/omb/xrds.js";
import { readXrds } from "../../../protocol/omb/xrds-read.js";
import { writeXrds } from "../../../protocol/omb/xrds-write.js";
import {
  hostileText,
  mutated,
  onlyThrows,
  type Property,
  property,
  tokenSoup,
} from "../property.js";

const FIXTURES = [
  "laconica-0.8-omb-md.xml",
  "libomb-0.1a-alice.xml",
  "statusnet-0.9-plugin-xrd.xml",
].map((f) => readFileSync(new URL(`../../fixtures/xrds/${f}`, import.meta.url), "utf8"));

const CODES: readonly XrdsErrorCode[] = [
  "not-xml",
  "too-costly",
  "doctype",
  "not-xrds",
  "no-entry-xrd",
  "missing-service",
  "missing-localid",
  "external-reference",
];
const FIELDS = [
  "localId",
  "request",
  "authorize",
  "access",
  "postNotice",
  "updateProfile",
] as const;

/** Pieces of XRDS syntax, so that random documents get past the first checks. */
const TOKENS = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  `<XRDS xmlns="${XRDS_NS}">`,
  "</XRDS>",
  `<XRD xmlns="${XRD_NS}" xml:id="oauth" version="2.0">`,
  `<XRD xmlns="${XRD_NS}" xml:id="omb">`,
  `<XRD xmlns="${XRD_NS}">`,
  `<x:XRD xmlns:x="${XRD_NS.toUpperCase()}">`,
  "</XRD>",
  "<Service>",
  '<Service priority="10">',
  '<Service priority="-1">',
  '<Service priority="99999999999999999999">',
  "</Service>",
  "<Type>",
  "</Type>",
  "<URI>",
  '<URI priority="0">',
  "</URI>",
  "<LocalID>",
  "</LocalID>",
  ...Object.values(TYPE),
  "#oauth",
  "#omb",
  "#",
  "http://peer.example/xrds#oauth",
  "other.xrds#omb",
  "http://peer.example/requesttoken",
  "https://PEER.example:443/a?b=c&amp;d=e",
  "javascript:alert(1)",
  "http://[::1",
  "&amp;",
  "&lt;",
  "&#0;",
  "&#x110000;",
  "&undefined;",
  "<![CDATA[",
  "]]>",
  "<!--",
  "-->",
  "<?pi x?>",
  "<",
  ">",
  "/>",
  '"',
  " xml:id='oauth'",
  ' xmlns="',
  "\uFEFF",
  "\u0000",
];

const URL_BASES = fc.constantFrom(
  "http://peer.example/xrds",
  "https://peer.example/a/b?c=d#e",
  "http://127.0.0.1:8001/xrds",
);

/** Either XrdsEndpoints whose endpoints are http(s) URLs, or an XrdsError with a known code. */
function checkOutcome(outcome: XrdsEndpoints | XrdsError): void {
  if (outcome instanceof XrdsError) {
    assert.ok(CODES.includes(outcome.code), `unknown code ${outcome.code}`);
    assert.match(outcome.message, /^XRDS: /);
    if (outcome.code === "external-reference") {
      assert.ok(outcome.missingDocuments && outcome.missingDocuments.length > 0);
      for (const u of outcome.missingDocuments) assert.ok(!u.includes("#"), `fragment in ${u}`);
    } else {
      assert.equal(outcome.missingDocuments, undefined);
    }
    return;
  }
  for (const field of FIELDS) {
    assert.equal(typeof outcome[field], "string");
    assert.notEqual(outcome[field].trim(), "", `${field} is blank`);
  }
  for (const field of FIELDS.slice(1)) {
    assert.match(outcome[field], /^https?:\/\/[^/?#]/i, `${field}: ${outcome[field]}`);
  }
}

const endpointUrl = fc.webUrl({ withQueryParameters: true, withFragments: false });
const endpoints: fc.Arbitrary<XrdsEndpoints> = fc.record({
  localId: endpointUrl,
  request: endpointUrl,
  authorize: endpointUrl,
  access: endpointUrl,
  postNotice: endpointUrl,
  updateProfile: endpointUrl,
});

export const properties: Record<string, Property> = {
  "any text: endpoints or XrdsError": property(
    fc.tuple(fc.oneof(hostileText(400), tokenSoup(TOKENS, 60)), URL_BASES),
    ([xml, url]) => checkOutcome(onlyThrows(XrdsError, () => readXrds(xml, url))),
  ),

  "mutated real XRDS documents: endpoints or XrdsError": property(
    fc.tuple(
      fc.oneof(...FIXTURES.map((f) => mutated(f, TOKENS))),
      URL_BASES,
      fc.array(fc.tuple(fc.webUrl(), fc.oneof(...FIXTURES.map((f) => mutated(f, TOKENS)))), {
        maxLength: 2,
      }),
    ),
    ([xml, url, others]) =>
      checkOutcome(onlyThrows(XrdsError, () => readXrds(xml, url, new Map(others)))),
  ),

  "what writeXrds writes, readXrds reads back": property(endpoints, (e) => {
    const read = readXrds(writeXrds(e), "http://peer.example/xrds");
    for (const field of FIELDS) {
      // writeXrds lower-cases scheme and host; a URL parser sees the same address either way
      assert.equal(new URL(read[field]).href, new URL(e[field]).href, field);
    }
  }),

  "a DOCTYPE anywhere (entity expansion, external entities) is refused before parsing": property(
    fc.tuple(
      fc.oneof(...FIXTURES.map((f) => mutated(f, TOKENS))),
      fc.nat(),
      fc.constantFrom(
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>',
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!doctype XRDS SYSTEM "http://127.0.0.1:1/evil.dtd">',
        "<!DocType x>",
      ),
    ),
    ([doc, at, doctype]) => {
      const i = at % (doc.length + 1);
      const xml = `${doc.slice(0, i)}${doctype}${doc.slice(i)}&lol4;`;
      const err = onlyThrows(XrdsError, () => readXrds(xml, "http://peer.example/xrds"));
      assert.ok(err instanceof XrdsError && err.code === "doctype", "refused as doctype");
    },
  ),
};
