import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { printTable } from "./run.js";

test("printTable keeps escape sequences, bidi controls and line breaks of remote text off the terminal", () => {
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => {
    text += c.toString();
  });
  printTable(
    [
      ["URL", "LAST ERROR"],
      ["http://a.example/", "HTTP 500: \u001b[2J\u001b]0;owned\u0007gone\u202E\nnext line"],
    ],
    out,
  );
  assert.equal(text.split("\n").length, 3, "two rows, one line each");
  const forbidden = [...text].filter((ch) => {
    const c = ch.codePointAt(0) ?? 0;
    return (c < 0x20 && c !== 0x0a) || c === 0x7f || (c >= 0x202a && c <= 0x202e);
  });
  assert.deepEqual(forbidden, []);
  assert.match(text, /HTTP 500: \[2J\]0;ownedgone next line/);
});
