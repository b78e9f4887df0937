import assert from "node:assert/strict";
import { it } from "node:test";
import { Temporal } from "@js-temporal/polyfill";
import { openMemoryStore } from "../store/memory/memory-store.js";
import { DEFAULT_TTL_MS, durationMs, StoreKvStore } from "./kv-store.js";

it("is Fedify's KvStore over the Store: keys, prefix lists, CAS, TTLs", async () => {
  const store = await openMemoryStore();
  const kv = new StoreKvStore(store);
  await kv.set(["_fedify", "a"], { x: 1 });
  await kv.set(["_fedify", "a", "b"], 2);
  await kv.set(["_fedify", "ab"], 3);
  await kv.set(["other"], 4, { ttl: Temporal.Duration.from({ minutes: 5 }) });
  await store.kvSet("not-fedify", 5);
  assert.deepEqual(await kv.get(["_fedify", "a"]), { x: 1 });
  const listed = async (prefix?: [string, ...string[]]) => {
    const keys: string[] = [];
    for await (const e of kv.list(prefix)) keys.push(e.key.join("/"));
    return keys;
  };
  assert.deepEqual(await listed(["_fedify", "a"]), ["_fedify/a", "_fedify/a/b"]);
  assert.deepEqual(await listed(["_fedify"]), ["_fedify/a", "_fedify/a/b", "_fedify/ab"]);
  assert.deepEqual((await listed()).length, 4, "every Fedify entry, not the store's own");
  assert.equal(await kv.cas(["_fedify", "ab"], 9, 10), false);
  assert.equal(await kv.cas(["_fedify", "ab"], 3, 10), true);
  assert.equal(await kv.get(["_fedify", "ab"]), 10);
  await kv.delete(["_fedify", "ab"]);
  assert.equal(await kv.get(["_fedify", "ab"]), undefined);
  await store.close();
});

it("converts Fedify's durations, and bounds entries it keeps without one", () => {
  assert.equal(durationMs(Temporal.Duration.from({ minutes: 5 })), 300_000);
  assert.equal(durationMs(Temporal.Duration.from({ days: 1, seconds: 1 })), 86_401_000);
  assert.ok(DEFAULT_TTL_MS > 0 && DEFAULT_TTL_MS <= 30 * 86_400_000);
});
