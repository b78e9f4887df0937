/** Writes an OMB listener's XRDS element for element as libomb did (OMB.md §2, §10.2). */
import type { Document, Element } from "@xmldom/xmldom";
import { DOMImplementation, XMLSerializer } from "@xmldom/xmldom";
import {
  OAUTH_PARAMETER_TYPES,
  TYPE,
  XML_NS,
  XRD_NS,
  XRDS_NS,
  XRDS_SIMPLE_NS,
} from "./constants.js";
import type { XrdsEndpoints } from "./xrds.js";

const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

interface ServiceSpec {
  /** The first Type goes before the URI, the rest after it, as libomb writes them. */
  types: readonly string[];
  uri?: string;
  localId?: string;
}

/** The listener's XRDS, element for element as libomb wrote it (entry XRD last). */
export function writeXrds(e: XrdsEndpoints): string {
  const url = (field: keyof XrdsEndpoints) => lowercaseSchemeAndHost(field, e[field]);
  const oauth = (endpoint: string) => [endpoint, ...OAUTH_PARAMETER_TYPES];
  const doc = new DOMImplementation().createDocument(XRDS_NS, "XRDS", null);
  const root = doc.documentElement as Element;
  root.appendChild(
    xrdElement(doc, "oauth", true, [
      { types: oauth(TYPE.request), uri: url("request"), localId: url("localId") },
      { types: oauth(TYPE.authorize), uri: url("authorize") },
      { types: oauth(TYPE.access), uri: url("access") },
      { types: oauth(TYPE.resource) },
    ]),
  );
  root.appendChild(
    xrdElement(doc, "omb", true, [
      { types: [TYPE.postNotice], uri: url("postNotice") },
      { types: [TYPE.updateProfile], uri: url("updateProfile") },
    ]),
  );
  root.appendChild(
    xrdElement(doc, undefined, false, [
      { types: [TYPE.oauthDiscovery], uri: "#oauth" },
      { types: [TYPE.omb], uri: "#omb" },
    ]),
  );
  indent(doc, root, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(doc)}\n`;
}

function xrdElement(
  doc: Document,
  id: string | undefined,
  simpleNs: boolean,
  services: ServiceSpec[],
): Element {
  const xrd = doc.createElementNS(XRD_NS, "XRD");
  // Attribute order as in the captures: xmlns, xml:id, xmlns:simple, version.
  xrd.setAttributeNS(XMLNS_NS, "xmlns", XRD_NS);
  if (id) xrd.setAttributeNS(XML_NS, "xml:id", id);
  if (simpleNs) xrd.setAttributeNS(XMLNS_NS, "xmlns:simple", XRDS_SIMPLE_NS);
  xrd.setAttribute("version", "2.0");
  xrd.appendChild(textElement(doc, "Type", TYPE.xrdsSimple));
  for (const spec of services) {
    const service = xrd.appendChild(doc.createElementNS(XRD_NS, "Service"));
    spec.types.forEach((type, i) => {
      service.appendChild(textElement(doc, "Type", type));
      if (i === 0 && spec.uri) service.appendChild(textElement(doc, "URI", spec.uri));
    });
    if (spec.localId) service.appendChild(textElement(doc, "LocalID", spec.localId));
  }
  return xrd;
}

function textElement(doc: Document, name: string, text: string): Element {
  const el = doc.createElementNS(XRD_NS, name);
  el.appendChild(doc.createTextNode(text));
  return el;
}

/** One space per level, like the captures, so the served document stays readable. */
function indent(doc: Document, el: Element, depth: number): void {
  const children = [...el.children];
  if (children.length === 0) return;
  for (const child of children) {
    el.insertBefore(doc.createTextNode(`\n${" ".repeat(depth + 1)}`), child);
    indent(doc, child, depth + 1);
  }
  el.appendChild(doc.createTextNode(`\n${" ".repeat(depth)}`));
}

const HTTP_URL = /^(https?):\/\/([^/?#]+)(.*)$/is;

/** Laconica before 0.7.4 broke on mixed-case hosts, so only lowercase ones are advertised. */
function lowercaseSchemeAndHost(field: string, value: string): string {
  const m = HTTP_URL.exec(value);
  // Whitespace or control characters would not survive the reader's trimming (nor a URL parser).
  if (!m || /[\s\p{Cc}]/u.test(value)) {
    throw new TypeError(
      `XRDS: ${field} must be an absolute http(s) URL, got ${JSON.stringify(value)}`,
    );
  }
  const [, scheme = "", authority = "", rest = ""] = m;
  const at = authority.lastIndexOf("@");
  const host = authority.slice(at + 1).toLowerCase();
  return `${scheme.toLowerCase()}://${authority.slice(0, at + 1)}${host}${rest}`;
}
