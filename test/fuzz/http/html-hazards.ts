/**
 * What markup from other sites must never bring into HTML the sidecar keeps or renders:
 * scripts and other active elements (frames, objects, forms, style, svg…), event-handler
 * attributes, javascript:/data:/vbscript: URLs, style attributes, and the bidi override
 * U+202E. Read with an HTML parser (htmlparser2), so an attribute is an attribute however
 * it is quoted. A page's own markup (its style element, its forms, its chart) is let through
 * by `isOwn`, asked of each element; scripts, event handlers, script URLs and U+202E never are.
 */
import { DomUtils, parseDocument } from "htmlparser2";
import type { Element } from "../../../plugin/timeline/html-parse.test-helper.js";

export type { Element };

/** Elements that run, load, restyle or submit something. */
const ACTIVE = new Set([
  "script",
  "style",
  "link",
  "meta",
  "base",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "form",
  "input",
  "button",
  "textarea",
  "select",
  "svg",
  "math",
  "template",
  "noscript",
  "portal",
]);

/** Attributes holding a URL a browser follows or loads. */
const URL_ATTRIBUTES = new Set([
  "href",
  "src",
  "action",
  "formaction",
  "xlink:href",
  "srcset",
  "poster",
  "data",
  "background",
  "cite",
  "ping",
]);

/** A URL a browser would run or render inline (browsers drop tabs and newlines inside). */
const SCRIPT_URL = /^(?:javascript|data|vbscript):/i;

const RLO = "\u202E";

/** Whether `el` or one of its ancestors passes `test`. */
export function selfOrAncestor(el: Element, test: (el: Element) => boolean): boolean {
  for (let e: Element | null = el; e; e = e.parent as Element | null) {
    if (e.type === "tag" && test(e)) return true;
  }
  return false;
}

function show(el: Element): string {
  return `<${el.name} ${JSON.stringify(el.attribs).slice(0, 200)}>`;
}

/** Every hazard in `html`, each named with its element; empty when there is none. */
export function htmlHazards(html: string, isOwn: (el: Element) => boolean = () => false): string[] {
  const found: string[] = [];
  const doc = parseDocument(html);
  const elements = DomUtils.findAll(() => true, doc.children);
  for (const el of elements) {
    const own = el.name !== "script" && isOwn(el);
    if (ACTIVE.has(el.name) && !own) found.push(`a ${el.name} element: ${show(el)}`);
    for (const [name, value] of Object.entries(el.attribs)) {
      if (/^on/i.test(name)) found.push(`an event handler ${name}: ${show(el)}`);
      if (name === "style" && !own) found.push(`a style attribute: ${show(el)}`);
      const url = value.replace(/[\s\p{Cc}]/gu, "");
      if (URL_ATTRIBUTES.has(name) && SCRIPT_URL.test(url)) {
        found.push(`a script or data URL in ${name}: ${show(el)}`);
      }
      if (value.includes(RLO)) found.push(`U+202E in ${name}: ${show(el)}`);
    }
  }
  const text = DomUtils.textContent(doc);
  if (text.includes(RLO)) {
    const at = text.indexOf(RLO);
    found.push(`U+202E in the text: ${JSON.stringify(text.slice(Math.max(0, at - 60), at + 60))}`);
  }
  return found;
}
