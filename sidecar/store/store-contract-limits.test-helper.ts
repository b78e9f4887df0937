/** Store contract, limits part: the per-source cap on live request tokens. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { fakeProfile } from "../../test/helpers/fixtures.js";
import type { Store } from "./store.js";
import type { RequestToken } from "./types.js";

const token = (name: string, source: string): RequestToken => ({
  token: name,
  secret: `${name}-secret`,
  consumerKey: "http://remote.example/",
  createdAt: new Date().toISOString(),
  state: "issued",
  address: source,
  source,
});

/** The per-source cap, each on a store from `fresh`. */
export function limitContract(fresh: () => Promise<Store>): void {
  it("keeps at most maxPerSource issued request tokens per source, dropping the oldest", async () => {
    const s = await fresh();
    for (let i = 0; i < 5; i++) await s.saveRequestToken(token(`a${i}`, "A"), { maxPerSource: 3 });
    await s.saveRequestToken(token("b0", "B"), { maxPerSource: 3 });
    const kept = async (names: string[]) =>
      (await Promise.all(names.map((n) => s.requestToken(n)))).map((t) => t !== undefined);
    assert.deepEqual(await kept(["a0", "a1", "a2", "a3", "a4", "b0"]), [
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    // Saved without a cap (or without a source), nothing else is touched.
    await s.saveRequestToken(token("a5", "A"));
    await s.saveRequestToken({ ...token("x", "A"), source: undefined } as RequestToken, {
      maxPerSource: 1,
    });
    assert.deepEqual(await kept(["a2", "a3", "a4", "a5", "x"]), [true, true, true, true, true]);
  });

  it("an authorized token no longer counts, and survives its source's new requests", async () => {
    const s = await fresh();
    await s.saveRequestToken(token("t0", "A"), { maxPerSource: 2 });
    assert.ok(await s.authorizeRequestToken("t0", fakeProfile(1, "remote.example")));
    for (let i = 1; i <= 4; i++) await s.saveRequestToken(token(`t${i}`, "A"), { maxPerSource: 2 });
    assert.equal((await s.requestToken("t0"))?.state, "authorized");
    assert.equal(await s.requestToken("t2"), undefined);
    assert.ok(await s.requestToken("t3"));
    assert.ok(await s.requestToken("t4"));
  });
}
