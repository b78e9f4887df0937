/** Fuzzed form and query text: names, values and separators encoded the ways clients get wrong. */
import fc from "fast-check";
import { hostileText } from "../property.js";
import { paramValue } from "./param-values.js";

/** Percent-encodes (or not) a name or value in one of the ways clients get it wrong. */
const encoder = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constant((s: string) => encodeURIComponent(safeUnicode(s))),
  },
  {
    weight: 3,
    arbitrary: fc.constant((s: string) =>
      new URLSearchParams({ s: safeUnicode(s) }).toString().slice(2),
    ),
  },
  fc.constantFrom<(s: string) => string>(
    (s) => s, // raw: spaces, &, = and all
    (s) => Buffer.from(safeUnicode(s), "utf8").toString("latin1"), // raw UTF-8 bytes
    (s) => s.replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16)}`), // UTF-16 units
  ),
);

/** Lone surrogates replaced: encodeURIComponent cannot take them (the raw encoder still can). */
export function safeUnicode(s: string): string {
  return s.replace(/\p{Cs}/gu, "\uFFFD");
}

/** `name=value` pairs, some repeated, some without `=`, joined by `&` (or `;`, or `&&`). */
export function formText(names: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...names) },
    fc.constantFrom(
      "",
      "__proto__",
      "constructor",
      "a[]",
      "a[b]",
      "profile_url[x]",
      "%",
      "=",
      "a b",
    ),
    hostileText(10),
  );
  const pair = fc
    .tuple(name, paramValue, encoder, encoder, fc.integer({ min: 0, max: 9 }))
    .map(([k, v, ek, ev, shape]) =>
      shape === 0 ? ek(k) : shape === 1 ? `${ek(k)}=` : `${ek(k)}=${ev(v)}`,
    );
  return fc
    .tuple(fc.array(pair, { maxLength: 25 }), fc.constantFrom("&", "&", "&", ";", "&&", "&amp;"))
    .map(([pairs, sep]) => pairs.join(sep));
}

/** Each name once, values properly encoded: the request a real form would send. */
export function cleanForm(names: readonly string[]): fc.Arbitrary<string> {
  const pair = (n: string) =>
    fc.option(paramValue, { nil: undefined, freq: 5 }).map((v) => [n, v] as const);
  return fc.tuple(...names.map(pair)).map((pairs) =>
    pairs
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(safeUnicode(v ?? ""))}`)
      .join("&"),
  );
}

/** A path's query part: absent, empty, clean, mangled, or too big for the header limit. */
export function queryString(names: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constant("?") },
    { weight: 4, arbitrary: cleanForm(names).map((q) => `?${q}`) },
    { weight: 6, arbitrary: formText(names).map((q) => `?${q}`) },
    { weight: 1, arbitrary: fc.constant(`?profile_url=${"a".repeat(20_000)}`) },
  );
}
