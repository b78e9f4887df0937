/** Reads an OMB listener's XRDS as tolerantly as Laconica, StatusNet and libomb wrote it. */
import type { Document, Element } from "@xmldom/xmldom";
import { DOMParser } from "@xmldom/xmldom";
import { TYPE, XML_NS, XRD_NS, XRDS_NS } from "./constants.js";
import { checkXmlCost, MarkupLimitError, XRDS_LIMITS } from "./xml-limits.js";
import { type XrdsEndpoints, XrdsError } from "./xrds.js";

interface Reference {
  /** The XRDS URL without fragment, or null for the document being read. */
  document: string | null;
  /** The xml:id of the XRD meant; null means that document's last XRD. */
  id: string | null;
  /** The reference as an absolute URL, for messages. */
  where: string;
}

/**
 * Finds the endpoints in a listener's XRDS. `documentUrl` is where `xml` came from. Entry
 * services may point into other XRDS documents: when one is not in `otherDocuments` (keyed by
 * URL without fragment), this throws "external-reference" listing the URLs to fetch.
 */
export function readXrds(
  xml: string,
  documentUrl: string,
  otherDocuments: ReadonlyMap<string, string> = new Map(),
): XrdsEndpoints {
  const xrds = parseXrds(xml, documentUrl);
  const entry = xrds.at(-1);
  const oauthEntry = entry && bestService(entry, TYPE.oauthDiscovery);
  const ombEntry = entry && bestService(entry, TYPE.omb);
  if (!entry || (!oauthEntry && !ombEntry)) {
    throw new XrdsError(
      "no-entry-xrd",
      `the last XRD of ${documentUrl} declares neither ${TYPE.oauthDiscovery} nor ${TYPE.omb}; ` +
        "the remote site must put the XRD mapping them to #oauth and #omb last in its XRDS.",
    );
  }
  const refs = [
    entryReference(oauthEntry, TYPE.oauthDiscovery, documentUrl),
    entryReference(ombEntry, TYPE.omb, documentUrl),
  ] as const;
  const missing = [
    ...new Set(
      refs.flatMap((r) => (r.document && !otherDocuments.has(r.document) ? [r.document] : [])),
    ),
  ];
  if (missing.length > 0) {
    throw new XrdsError(
      "external-reference",
      `${documentUrl} points to other XRDS documents (${missing.join(", ")}); fetch them and read again with otherDocuments.`,
      missing,
    );
  }
  const [oauthXrd, ombXrd] = refs.map((ref) => {
    if (!ref.document) return findXrd(xrds, ref, documentUrl);
    return findXrd(
      parseXrds(otherDocuments.get(ref.document) ?? "", ref.document),
      ref,
      ref.document,
    );
  }) as [Element, Element];

  const request = requireService(oauthXrd, TYPE.request, "OAuth request-token", refs[0]);
  const localId = firstText(request.service, "LocalID");
  if (!localId) {
    throw new XrdsError(
      "missing-localid",
      `the ${TYPE.request} service in ${refs[0].where} has no LocalID; the remote site ` +
        "must put the user's identifier URI there (it becomes omb_listener).",
    );
  }
  return {
    localId,
    request: request.uri,
    authorize: requireService(oauthXrd, TYPE.authorize, "OAuth authorization", refs[0]).uri,
    access: requireService(oauthXrd, TYPE.access, "OAuth access-token", refs[0]).uri,
    postNotice: requireService(ombXrd, TYPE.postNotice, "OMB postNotice", refs[1]).uri,
    updateProfile: requireService(ombXrd, TYPE.updateProfile, "OMB updateProfile", refs[1]).uri,
  };
}

/** Parses and checks the root; returns the XRD elements in document order. */
function parseXrds(xml: string, url: string): Element[] {
  // XRDS never needs a DTD; refusing it up front rules out entity-expansion attacks.
  if (/<!DOCTYPE/i.test(xml)) {
    throw new XrdsError(
      "doctype",
      `${url} contains a DOCTYPE declaration, which is refused (entity-expansion risk); the remote site must serve its XRDS without one.`,
    );
  }
  // The DOM parse is synchronous and can be made to cost minutes: bound it before parsing.
  try {
    checkXmlCost(xml, XRDS_LIMITS, `the XRDS at ${url}`);
  } catch (err) {
    if (err instanceof MarkupLimitError) throw new XrdsError("too-costly", `${err.message}.`);
    throw err;
  }
  let problem: string | undefined;
  let doc: Document;
  try {
    const parser = new DOMParser({
      onError: (level, message) => {
        problem ??= `${level}: ${message}`;
        throw new Error(message);
      },
    });
    // A BOM or blank lines before the XML declaration are common server noise.
    doc = parser.parseFromString(xml.replace(/^[\uFEFF\s]+/, ""), "text/xml");
  } catch (err) {
    const detail = problem ?? (err instanceof Error ? err.message : String(err));
    throw new XrdsError(
      "not-xml",
      `${url} is not well-formed XML (${detail}); the remote site must serve a valid XRDS document.`,
    );
  }
  const root = doc.documentElement;
  if (root?.localName !== "XRDS" || root.namespaceURI !== XRDS_NS) {
    throw new XrdsError(
      "not-xrds",
      `${url} has root element <${root?.localName}> in namespace ${root?.namespaceURI ?? "(none)"}, ` +
        `not <XRDS> in ${XRDS_NS}; the remote site's X-XRDS-Location must point at its XRDS document.`,
    );
  }
  return xrdChildren(root, "XRD");
}

/** Child elements in the XRD namespace (compared case-insensitively: `$XRD` occurs in the wild). */
function xrdChildren(el: Element, localName: string): Element[] {
  return [...el.children].filter(
    (c) => c.localName === localName && c.namespaceURI?.toLowerCase() === XRD_NS.toLowerCase(),
  );
}

/** Lowest `priority` first; a missing or malformed one sorts last; ties keep document order. */
function byPriority(elements: Element[]): Element[] {
  const priority = (el: Element) => {
    const p = el.getAttribute("priority")?.trim() ?? "";
    return /^\d+$/.test(p) ? Number(p) : Number.POSITIVE_INFINITY;
  };
  return elements
    .map((el, i) => ({ el, i, p: priority(el) }))
    .sort((a, b) => (a.p === b.p ? a.i - b.i : a.p < b.p ? -1 : 1))
    .map((x) => x.el);
}

function texts(el: Element, localName: string): string[] {
  return byPriority(xrdChildren(el, localName))
    .map((c) => c.textContent?.trim() ?? "")
    .filter((t) => t !== "");
}

function firstText(el: Element, localName: string): string | undefined {
  return texts(el, localName)[0];
}

/** The best-priority service of that Type that has a URI, with its first URI. */
function bestService(xrd: Element, type: string): { service: Element; uri: string } | undefined {
  for (const service of byPriority(xrdChildren(xrd, "Service"))) {
    if (!texts(service, "Type").includes(type)) continue;
    const uri = firstText(service, "URI");
    if (uri) return { service, uri };
  }
  return undefined;
}

function entryReference(
  found: { uri: string } | undefined,
  type: string,
  documentUrl: string,
): Reference {
  if (!found) {
    throw new XrdsError(
      "missing-service",
      `the last XRD of ${documentUrl} has no service of Type ${type} with a URI; the remote site must map it to the XRD holding those endpoints (e.g. #oauth, #omb).`,
    );
  }
  const raw = found.uri;
  if (raw.startsWith("#")) {
    return { document: null, id: raw.slice(1) || null, where: `${documentUrl}${raw}` };
  }
  let target: URL;
  try {
    target = new URL(raw, documentUrl);
  } catch {
    throw new XrdsError(
      "missing-service",
      `the ${type} entry service of ${documentUrl} points to ${JSON.stringify(raw)}, which is not a URL; the remote site must use #id or an absolute XRDS URL.`,
    );
  }
  const where = target.href;
  // xml:id values are NCNames, so the fragment needs no percent-decoding.
  const id = target.hash.slice(1) || null;
  target.hash = "";
  const self = new URL(documentUrl);
  self.hash = "";
  return { document: target.href === self.href ? null : target.href, id, where };
}

function findXrd(xrds: Element[], ref: Reference, url: string): Element {
  const xrd = ref.id ? xrds.find((x) => x.getAttributeNS(XML_NS, "id") === ref.id) : xrds.at(-1);
  if (!xrd) {
    throw new XrdsError(
      "missing-service",
      `${url} has no XRD ${ref.id ? `with xml:id="${ref.id}"` : "at all"}, yet its entry service points to ${ref.where}; the remote site must fix that reference.`,
    );
  }
  return xrd;
}

function requireService(
  xrd: Element,
  type: string,
  label: string,
  ref: Reference,
): { service: Element; uri: string } {
  const found = bestService(xrd, type);
  if (!found || !/^https?:\/\/[^/?#]/i.test(found.uri)) {
    throw new XrdsError(
      "missing-service",
      `the XRD ${ref.where} has no ${label} service (Type ${type}) with an absolute http(s) URI; the remote site must advertise that endpoint.`,
    );
  }
  return found;
}
