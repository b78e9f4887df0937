import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { InputCancelled, readHiddenLine } from "./hidden-input.js";

function terminal() {
  const input = Object.assign(new PassThrough(), {
    modes: [] as boolean[],
    setRawMode(mode: boolean) {
      this.modes.push(mode);
    },
  });
  const output = new PassThrough();
  let shown = "";
  output.on("data", (c: Buffer) => {
    shown += c.toString();
  });
  return { input, output, shown: () => shown };
}

test("reads a line in raw mode, shows nothing of it, and handles Backspace", async () => {
  const t = terminal();
  const line = readHiddenLine(t.input, t.output, "Password: ");
  t.input.write("s3cre");
  t.input.write("x\u007ft passé\r");
  assert.equal(await line, "s3cret passé");
  assert.deepEqual(t.input.modes, [true, false]);
  assert.equal(t.shown(), "Password: \n");
});

test("Ctrl-C cancels and restores the terminal", async () => {
  const t = terminal();
  const line = readHiddenLine(t.input, t.output, "Password: ");
  t.input.write("abc\u0003");
  await assert.rejects(line, InputCancelled);
  assert.deepEqual(t.input.modes, [true, false]);
});
