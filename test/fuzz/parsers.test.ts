import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { type PropertyResult, runIsolated } from "./isolated.js";
import { FUZZ_RUNS, type Property } from "./property.js";

/**
 * Property-based fuzzing of every parser that reads outside input (issue 6, part 1). Each
 * module under parsers/ exports its properties; they run in a worker thread so that a hang
 * is stopped and reported instead of blocking the run. Size: FUZZ_RUNS (see property.ts).
 */

const MODULES = [
  "xrds",
  "oauth",
  "html-meta",
  "manifest-config",
  "validate-license",
  "notice-text",
];
/** Generous: a run normally takes microseconds; this only catches hangs. */
const PROPERTY_TIMEOUT_MS = Math.max(60_000, FUZZ_RUNS * 20);

/** FUZZ_ONLY=xrds,oauth runs only those modules (to replay one failure quickly). */
const only = process.env.FUZZ_ONLY?.split(",");

for (const name of MODULES.filter((m) => !only || only.includes(m))) {
  const url = new URL(`./parsers/${name}.ts`, import.meta.url).href;
  const { properties } = (await import(url)) as { properties: Record<string, Property> };
  const names = Object.keys(properties);
  describe(`fuzz ${name} (${FUZZ_RUNS} runs per property)`, () => {
    let results: Map<string, Promise<PropertyResult>>;
    before(() => {
      results = runIsolated(url, names, PROPERTY_TIMEOUT_MS);
    });
    for (const prop of names) {
      it(prop, async () => {
        const r = await results.get(prop);
        assert.ok(r?.ok, r?.message);
      });
    }
  });
}
