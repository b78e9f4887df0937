import assert from "node:assert/strict";
import { test } from "node:test";
import { Debouncer } from "./debounce.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a burst of triggers runs the task once, after the quiet delay", async () => {
  let runs = 0;
  const d = new Debouncer(async () => {
    runs++;
  }, 40);
  for (let i = 0; i < 5; i++) {
    d.trigger();
    await sleep(5);
  }
  assert.equal(runs, 0);
  await sleep(80);
  assert.equal(runs, 1);
  await d.close();
});

test("a steady stream still runs within maxWait", async () => {
  let runs = 0;
  const d = new Debouncer(
    async () => {
      runs++;
    },
    30,
    60,
  );
  const end = Date.now() + 150;
  while (Date.now() < end) {
    d.trigger();
    await sleep(10);
  }
  assert.ok(runs >= 1, `ran ${runs} times during the stream`);
  await d.close();
});

test("a trigger during a run gives exactly one more run; close flushes what is pending", async () => {
  let runs = 0;
  let release: () => void = () => {};
  const d = new Debouncer(async () => {
    runs++;
    if (runs === 1) await new Promise<void>((r) => (release = r));
  }, 1);
  d.trigger();
  await sleep(20);
  d.trigger();
  d.trigger();
  release();
  await sleep(30);
  assert.equal(runs, 2);
  d.trigger();
  await d.close();
  assert.equal(runs, 3, "close ran the pending task");
  d.trigger();
  await sleep(10);
  assert.equal(runs, 3, "closed: triggers are ignored");
});

test("a failing task does not stop later runs", async () => {
  let runs = 0;
  const d = new Debouncer(async () => {
    runs++;
    throw new Error("boom");
  }, 1);
  d.trigger();
  await sleep(20);
  d.trigger();
  await sleep(20);
  assert.equal(runs, 2);
  await d.close();
});
