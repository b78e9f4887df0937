/** Store contract, daily counters: what `updateDestination`'s `count` adds up per UTC day. */
import assert from "node:assert/strict";
import { it, mock } from "node:test";
import { fakeSubscriber } from "../../test/helpers/fixtures.js";
import type { Store } from "./store.js";
import { at } from "./store-contract-fixtures.test-helper.js";

const DAY_MS = 86_400_000;

/** A store with one follower, and its destination as it is now. */
async function withDestination(fresh: () => Promise<Store>) {
  const s = await fresh();
  await s.saveFollower(fakeSubscriber(1));
  const d = await s.destination(at(fakeSubscriber(1)));
  assert.ok(d, "saveFollower made a destination");
  return { s, d };
}

export function dailyContract(fresh: () => Promise<Store>): void {
  it("counts delivery outcomes into today's record, in the same step as the destination", async () => {
    const { s, d } = await withDestination(fresh);
    await s.updateDestination({ ...d, cursor: 1 }, { count: "delivered", durable: false });
    await s.updateDestination({ ...d, cursor: 2 }, { count: "delivered" });
    await s.updateDestination({ ...d, cursor: 2, attempts: 1 }, { count: "retried" });
    await s.updateDestination(
      { ...d, cursor: 3 },
      { count: "refused", failure: { destination: d.url, status: 400, error: "no" } },
    );
    await s.updateDestination({ ...d, cursor: 3 }); // no count: nothing added
    const days = await s.dailyDeliveries(14);
    assert.equal(days.length, 14);
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(days.at(-1), { day: today, delivered: 2, retried: 1, refused: 1, gaveUp: 0 });
    assert.ok(days.slice(0, -1).every((x) => x.delivered + x.retried + x.refused === 0));
    assert.deepEqual(
      days.map((x) => x.day),
      [...days.map((x) => x.day)].sort(),
      "oldest first",
    );
    // A destination removed meanwhile is not written, and nothing is counted for it.
    await s.removeFollower(fakeSubscriber(1).id);
    assert.equal(await s.updateDestination(d, { count: "gaveUp" }), false);
    assert.equal((await s.dailyDeliveries(1))[0]?.gaveUp, 0);
  });

  it("keeps the last 30 days of counts, whatever is asked for", async () => {
    const { s, d } = await withDestination(fresh);
    const start = Date.UTC(2030, 0, 1, 12);
    mock.timers.enable({ apis: ["Date"], now: start });
    try {
      for (let i = 0; i < 40; i++) {
        mock.timers.setTime(start + i * DAY_MS);
        for (let n = 0; n <= i % 3; n++) await s.updateDestination(d, { count: "delivered" });
      }
      const days = await s.dailyDeliveries(100);
      assert.equal(days.length, 30);
      assert.equal(days[0]?.day, "2030-01-11");
      assert.equal(days.at(-1)?.day, "2030-02-09");
      assert.deepEqual(
        days.map((x) => x.delivered),
        Array.from({ length: 30 }, (_, k) => ((k + 10) % 3) + 1),
      );
      assert.deepEqual(await s.dailyDeliveries(0), []);
    } finally {
      mock.timers.reset();
    }
  });
}
