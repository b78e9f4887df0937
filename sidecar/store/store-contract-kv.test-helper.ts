/** Store contract, key–value part: get/set/delete, expiry, compare-and-swap, prefix lists, bounds. */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Store } from "./store.js";
import { MAX_KV_ENTRIES } from "./tables/kv-ops.js";

/** The key–value tests, each on a store from `fresh`. */
export function kvContract(fresh: () => Promise<Store>): void {
  it("sets, gets and deletes JSON values, handing out copies", async () => {
    const s = await fresh();
    assert.equal(await s.kvGet("a"), undefined);
    const value = { n: 1, list: ["x"], nested: { ok: true } };
    await s.kvSet("a", value);
    value.n = 2; // the store kept its own copy
    const got = (await s.kvGet("a")) as typeof value;
    assert.deepEqual(got, { n: 1, list: ["x"], nested: { ok: true } });
    got.list.push("y");
    assert.deepEqual(await s.kvGet("a"), { n: 1, list: ["x"], nested: { ok: true } });
    await s.kvSet("a", false, { durable: false });
    assert.equal(await s.kvGet("a"), false);
    await s.kvDelete("a");
    await s.kvDelete("never-set");
    assert.equal(await s.kvGet("a"), undefined);
    await assert.rejects(s.kvSet("b", undefined), TypeError);
  });

  it("forgets an entry once its TTL has passed, and prunes it at compaction", async () => {
    const s = await fresh();
    await s.kvSet("short", 1, { ttlMs: 0 });
    await s.kvSet("long", 2, { ttlMs: 3_600_000 });
    await s.kvSet("forever", 3);
    assert.equal(await s.kvGet("short"), undefined);
    assert.deepEqual(
      (await s.kvList("")).map((e) => e.key),
      ["long", "forever"],
    );
    await s.compact();
    assert.equal(await s.kvGet("long"), 2);
    assert.equal(await s.kvGet("forever"), 3);
    // An expired entry counts as absent for compare-and-swap too.
    assert.equal(await s.kvCas("short", undefined, "again"), true);
    assert.equal(await s.kvGet("short"), "again");
  });

  it("compare-and-swap writes only over the expected value, and can delete", async () => {
    const s = await fresh();
    assert.equal(await s.kvCas("k", undefined, { v: 1 }), true);
    assert.equal(await s.kvCas("k", undefined, { v: 2 }), false);
    assert.equal(await s.kvCas("k", { v: 9 }, { v: 2 }), false);
    assert.deepEqual(await s.kvGet("k"), { v: 1 });
    assert.equal(await s.kvCas("k", { v: 1 }, { v: 2 }, { ttlMs: 60_000 }), true);
    assert.deepEqual(await s.kvGet("k"), { v: 2 });
    assert.equal(await s.kvCas("k", { v: 2 }, undefined), true);
    assert.equal(await s.kvGet("k"), undefined);
    // Concurrent claims of one key: exactly one wins.
    const wins = await Promise.all([1, 2, 3, 4].map((n) => s.kvCas("claim", undefined, n)));
    assert.equal(wins.filter(Boolean).length, 1);
  });

  it("lists live entries by key prefix", async () => {
    const s = await fresh();
    await s.kvSet('["ap","a"]', 1);
    await s.kvSet('["ap","b"]', 2);
    await s.kvSet('["apx"]', 3);
    await s.kvSet('["ap","gone"]', 4, { ttlMs: 0 });
    assert.deepEqual(await s.kvList('["ap",'), [
      { key: '["ap","a"]', value: 1 },
      { key: '["ap","b"]', value: 2 },
    ]);
    assert.equal((await s.kvList("")).length, 3);
  });

  it("stays bounded: a full table drops the entries expiring soonest, never those without TTL", async () => {
    const s = await fresh();
    await s.kvSet("kept", "no ttl");
    for (let i = 0; i < MAX_KV_ENTRIES; i++)
      await s.kvSet(`c${i}`, i, { ttlMs: 3_600_000 + i, durable: false });
    await s.kvSet("newest", "x", { ttlMs: 7_200_000 });
    const left = (await s.kvList("")).length;
    assert.ok(left <= MAX_KV_ENTRIES, `${left} entries left, more than ${MAX_KV_ENTRIES}`);
    assert.equal(await s.kvGet("kept"), "no ttl");
    assert.equal(await s.kvGet("newest"), "x");
    assert.equal(await s.kvGet("c0"), undefined, "the soonest-expiring entry was dropped");
    assert.equal(await s.kvGet(`c${MAX_KV_ENTRIES - 1}`), MAX_KV_ENTRIES - 1);
  });
}
