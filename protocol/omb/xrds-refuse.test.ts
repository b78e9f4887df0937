/** readXrds on bad input: missing services or LocalID, misplaced XRDs, DOCTYPEs, non-XRDS. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TYPE } from "./constants.js";
import {
  CAPTURE,
  CAPTURE_URL,
  edit,
  elements,
  expectError,
  servicesOf,
} from "./xrds.test-helper.js";
import { readXrds } from "./xrds-read.js";

describe("readXrds refuses what a consumer cannot use", () => {
  const required = [
    [TYPE.request, "oauth"],
    [TYPE.authorize, "oauth"],
    [TYPE.access, "oauth"],
    [TYPE.postNotice, "omb"],
    [TYPE.updateProfile, "omb"],
    [TYPE.oauthDiscovery, "entry"],
    [TYPE.omb, "entry"],
  ] as const;
  for (const [type, xrd] of required) {
    it(`missing ${type} (${xrd} XRD) → missing-service`, () => {
      const xml = edit(CAPTURE, (root) => {
        for (const s of servicesOf(root, type)) s.parentNode?.removeChild(s);
      });
      expectError(() => readXrds(xml, CAPTURE_URL), "missing-service", type);
    });
  }

  it("a request-token service with a relative or non-http URI → missing-service", () => {
    const xml = CAPTURE.replace("http://127.0.0.1:8001/requesttoken", "ftp://127.0.0.1/x");
    expectError(() => readXrds(xml, CAPTURE_URL), "missing-service", TYPE.request);
  });

  it("missing or empty LocalID → missing-localid", () => {
    const without = CAPTURE.replace(/<LocalID>[^<]*<\/LocalID>/, "");
    assert.notEqual(without, CAPTURE);
    expectError(() => readXrds(without, CAPTURE_URL), "missing-localid", "LocalID");
    const empty = CAPTURE.replace(/<LocalID>[^<]*<\/LocalID>/, "<LocalID> </LocalID>");
    expectError(() => readXrds(empty, CAPTURE_URL), "missing-localid");
  });

  it("entry XRD not last → no-entry-xrd (only the last XRD is searched)", () => {
    const xml = edit(CAPTURE, (root) => {
      const entry = elements(root, "XRD").at(-1);
      assert.ok(entry);
      root.insertBefore(entry, root.firstChild);
    });
    expectError(() => readXrds(xml, CAPTURE_URL), "no-entry-xrd", "last");
  });

  it("an XRDS without any XRD → no-entry-xrd", () => {
    expectError(() => readXrds('<XRDS xmlns="xri://$xrds"/>', CAPTURE_URL), "no-entry-xrd");
  });

  it("a reference to an xml:id that does not exist → missing-service", () => {
    const xml = CAPTURE.replace("<URI>#omb</URI>", "<URI>#nowhere</URI>");
    expectError(() => readXrds(xml, CAPTURE_URL), "missing-service", 'xml:id="nowhere"');
  });

  it("refuses any DOCTYPE before parsing (entity expansion)", () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE XRDS [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<XRDS xmlns="xri://$xrds"><XRD xmlns="xri://$xrd*($v*2.0)"><Type>&c;</Type></XRD></XRDS>`;
    expectError(() => readXrds(laughs, CAPTURE_URL), "doctype", CAPTURE_URL);
    const lower = CAPTURE.replace("<XRDS", "<!doctype XRDS>\n<XRDS");
    expectError(() => readXrds(lower, CAPTURE_URL), "doctype");
  });

  it("garbage → not-xml, without printing xmldom warnings", (t) => {
    const printed = t.mock.method(console, "error", () => {});
    const warned = t.mock.method(console, "warn", () => {});
    for (const junk of [
      "",
      "not xml at all",
      "<XRDS xmlns='xri://$xrds'><XRD>",
      "<XRDS xmlns='xri://$xrds'>&nbsp;</XRDS>",
      "<a></b>",
      CAPTURE.slice(0, 500),
    ]) {
      expectError(() => readXrds(junk, CAPTURE_URL), "not-xml", CAPTURE_URL);
    }
    assert.equal(printed.mock.callCount() + warned.mock.callCount(), 0);
  });

  it("XML that is not XRDS → not-xrds", () => {
    for (const other of [
      "<html><head><title>alice</title></head><body/></html>",
      "<XRDS><XRD/></XRDS>",
      '<XRDS xmlns="xri://$xrd*($v*2.0)"><XRD/></XRDS>',
      '<rss version="2.0"><channel/></rss>',
    ]) {
      expectError(() => readXrds(other, CAPTURE_URL), "not-xrds", "XRDS");
    }
  });
});
