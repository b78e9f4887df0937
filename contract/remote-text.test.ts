/** Unit tests of cleanRemoteText: each character class removed, everything else kept. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cleanRemoteText } from "./remote-text.js";

const hex = (c: string) =>
  `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

function assertRemoved(chars: string[]): void {
  for (const c of chars) {
    assert.equal(cleanRemoteText(`a${c}b`), "ab", `${hex(c)} is removed`);
  }
}

test("bidi embeddings and overrides U+202A–U+202E are removed", () => {
  assertRemoved(range(0x202a, 0x202e));
  assert.equal(cleanRemoteText("\u202eevil\u202c (following)"), "evil (following)");
});

test("bidi isolates U+2066–U+2069 are removed", () => {
  assertRemoved(range(0x2066, 0x2069));
});

test("the marks U+200E, U+200F and U+061C are removed", () => {
  assertRemoved(["\u200e", "\u200f", "\u061c"]);
});

test("C0 controls are removed, tab and line feed kept", () => {
  assertRemoved(range(0x00, 0x1f).filter((c) => !"\t\n\r".includes(c)));
  assert.equal(cleanRemoteText("a\tb\nc"), "a\tb\nc");
});

test("a carriage return, alone or in CRLF, becomes a line feed", () => {
  assert.equal(cleanRemoteText("one\r\ntwo\rthree"), "one\ntwo\nthree");
});

test("DEL and the C1 controls U+0080–U+009F are removed", () => {
  assertRemoved(["\u007f", ...range(0x80, 0x9f)]);
});

test("over the whole BMP, exactly those characters are removed, all else kept", () => {
  const expected = new Set(
    [
      ...range(0x00, 0x1f).filter((c) => c !== "\t" && c !== "\n" && c !== "\r"),
      ...range(0x7f, 0x9f),
      ...["\u061c", "\u200e", "\u200f"],
      ...range(0x202a, 0x202e),
      ...range(0x2066, 0x2069),
    ].map((c) => c.codePointAt(0)),
  );
  const removed = range(0, 0xffff)
    .filter((c) => c !== "\r" && !/\p{Cs}/u.test(c) && cleanRemoteText(c) === "")
    .map((c) => c.codePointAt(0));
  assert.deepEqual(
    removed,
    [...expected].sort((a = 0, b = 0) => a - b),
  );
  // Letters of every script, emoji with joiners, markup, NBSP, soft hyphen: kept as they are.
  const text = "Zoë · שלום עולם · مرحبا · 東京 · 👩‍💻 · <b>&amp;</b> · \u00a0\u00ad\u2028";
  assert.equal(cleanRemoteText(text), text);
  assert.equal(cleanRemoteText(""), "");
});

test("the result is clean already: cleaning twice changes nothing", () => {
  const dirty =
    range(0, 0xa0).join("") + range(0x2060, 0x206f).join("") + range(0x2020, 0x202f).join("");
  const once = cleanRemoteText(dirty);
  assert.equal(cleanRemoteText(once), once);
  assert.doesNotMatch(once, /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u007f-\u009f]/);
});
