import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseConfig } from "./config.js";

function problems(raw: unknown): string {
  try {
    parseConfig(raw, "test.json", "/tmp", {});
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  assert.fail("the config was accepted");
}

const BASE = { siteUrl: "https://alice.example/", publicUrl: "https://alice.example/" };

test("a missing key says required, with an example", () => {
  const m = problems({});
  assert.match(m, /siteUrl: required\. Example: "siteUrl": "https:\/\/alice\.example\/"/);
  assert.doesNotMatch(m, /expected string, received undefined/);
});

test("a bad value is named with what was given", () => {
  const m = problems({ ...BASE, port: "80" });
  assert.match(m, /port: expected number, got "80"\. Example: "port": 8080\./);
});

test("an unknown key gets the nearest valid key and the valid keys, nested too", () => {
  const m = problems({ ...BASE, porrt: 1, delivery: { concurency: 2 } });
  assert.match(m, /porrt: unknown key "porrt"\. Did you mean "port"\? Valid keys: siteUrl, /);
  assert.match(
    m,
    /delivery\.concurency: unknown key "concurency" in "delivery"\. Did you mean "concurrency"\?/,
  );
});

test("no suggestion for a key like nothing valid", () => {
  const m = problems({ ...BASE, zzzzzzzz: 1 });
  assert.match(m, /unknown key "zzzzzzzz"\. Valid keys:/);
});
