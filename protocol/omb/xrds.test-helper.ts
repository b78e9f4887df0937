/** Shared XRDS test material: the libomb capture, DOM helpers, and an XrdsError matcher. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Element } from "@xmldom/xmldom";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import { XRD_NS } from "./constants.js";
import { type XrdsEndpoints, XrdsError } from "./xrds.js";

export const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/xrds/${name}`, import.meta.url), "utf8");

/** The one XRDS in the captures: alice@127.0.0.1:8001, served by libomb. */
export const CAPTURE = fixture("libomb-0.1a-alice.xml");
export const CAPTURE_URL = "http://127.0.0.1:8001/alice/xrds";
export const CAPTURE_ENDPOINTS: XrdsEndpoints = {
  localId: "http://127.0.0.1:8001/user/1",
  request: "http://127.0.0.1:8001/requesttoken",
  authorize: "http://127.0.0.1:8001/userauthorization",
  access: "http://127.0.0.1:8001/accesstoken",
  postNotice: "http://127.0.0.1:8001/postnotice",
  updateProfile: "http://127.0.0.1:8001/updateprofile",
};

export const parse = (xml: string) => new DOMParser().parseFromString(xml, "text/xml");
export const elements = (root: Element, name: string) => [
  ...root.getElementsByTagNameNS(XRD_NS, name),
];
export const text = (el: Element) => el.textContent?.trim() ?? "";

/** Parses `xml`, lets `change` edit the DOM, serializes it again. */
export function edit(xml: string, change: (root: Element) => void): string {
  const doc = parse(xml);
  change(doc.documentElement as Element);
  return new XMLSerializer().serializeToString(doc);
}

/** The Service elements that carry `type`. */
export function servicesOf(root: Element, type: string): Element[] {
  return elements(root, "Service").filter((s) => elements(s, "Type").some((t) => text(t) === type));
}

export function expectError(
  fn: () => unknown,
  code: XrdsError["code"],
  mentions?: string,
): XrdsError {
  let caught: unknown;
  assert.throws(fn, (err) => {
    caught = err;
    return err instanceof XrdsError && err.code === code;
  });
  const err = caught as XrdsError;
  assert.match(err.message, /^XRDS: /);
  if (mentions) assert.ok(err.message.includes(mentions), `"${err.message}" names ${mentions}`);
  return err;
}
