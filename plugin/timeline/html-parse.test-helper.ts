/** Rendered timeline HTML parsed into elements, for tests to query instead of matching text. */
import assert from "node:assert/strict";
import { DomUtils, parseDocument } from "htmlparser2";

// htmlparser2 comes with Eleventy (and, another major, with sanitize-html): a test-only use.

export type Element = ReturnType<typeof DomUtils.findAll>[number];

/** Every element of `html`, in document order. */
export function elementsOf(html: string): Element[] {
  return DomUtils.findAll(() => true, parseDocument(html).children);
}

export function hasClass(el: Element, name: string): boolean {
  return (el.attribs.class ?? "").split(/\s+/).includes(name);
}

export function byClass(els: readonly Element[], name: string): Element[] {
  return els.filter((el) => hasClass(el, name));
}

/** The one element of `els`; fails naming `what` when there are none or several. */
export function one(els: readonly Element[], what: string): Element {
  assert.equal(els.length, 1, `expected exactly one ${what}`);
  return els[0] as Element;
}

/** The text inside `el`, entities decoded, tags dropped. */
export const textOf = (el: Element): string => DomUtils.textContent(el);

/** The elements inside `el` named `tag`. */
export function within(el: Element, tag: string): Element[] {
  return DomUtils.findAll((x) => x.name === tag, el.children);
}

/** The elements inside `el` with class `name`. */
export function inside(el: Element, name: string): Element[] {
  return DomUtils.findAll((x) => hasClass(x, name), el.children);
}
