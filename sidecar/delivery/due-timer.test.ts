import assert from "node:assert/strict";
import { test } from "node:test";
import { DueTimer } from "./due-timer.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("keys fire once their time has come, earliest first, each once", async () => {
  const fired: string[][] = [];
  const t = new DueTimer((keys) => fired.push(keys.sort()));
  const now = Date.now();
  t.set("late", now + 120);
  t.set("soon", now + 20);
  t.set("also-soon", now + 25);
  assert.ok(t.has("late"));
  await sleep(70);
  assert.deepEqual(fired.flat().sort(), ["also-soon", "soon"]);
  assert.equal(t.has("soon"), false);
  await sleep(100);
  assert.deepEqual(fired.flat().sort(), ["also-soon", "late", "soon"]);
  t.clear();
});

test("a deleted key does not fire; clear cancels everything", async () => {
  const fired: string[] = [];
  const t = new DueTimer((keys) => fired.push(...keys));
  t.set("a", Date.now() + 10);
  t.set("b", Date.now() + 10);
  t.delete("a");
  await sleep(40);
  assert.deepEqual(fired, ["b"]);
  t.set("c", Date.now() + 10);
  t.clear();
  await sleep(40);
  assert.deepEqual(fired, ["b"]);
});
