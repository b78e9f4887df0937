import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fakeSubscriber, ombDestination } from "../../../test/helpers/fixtures.js";
import { openJsonStore } from "../json/json-store.js";
import { countOps, DAILY_DAYS, expiredDailyOps, recentDays } from "./daily-deliveries.js";
import { Tables } from "./tables.js";

const DAY_MS = 86_400_000;

test("the table never holds more than DAILY_DAYS records, even without a compaction", () => {
  const t = new Tables();
  const start = Date.UTC(2030, 5, 1, 23, 59);
  for (let i = 0; i < 100; i++) {
    const now = start + i * DAY_MS;
    t.apply(t.seq + 1, countOps(t, "retried", now));
    t.apply(t.seq + 1, countOps(t, "retried", now));
    assert.ok(t.size("daily") <= DAILY_DAYS, `${t.size("daily")} records on day ${i}`);
  }
  const last = start + 99 * DAY_MS;
  assert.equal(t.size("daily"), DAILY_DAYS);
  assert.ok(recentDays(t, 14, last).every((d) => d.retried === 2));
  // A compaction long after the last count forgets every record.
  assert.equal(expiredDailyOps(t, last + DAILY_DAYS * DAY_MS).length, DAILY_DAYS);
});

test("the JSON store keeps the counts across a reopen", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "ef-daily-"));
  try {
    const file = path.join(dir, "store.json");
    const a = await openJsonStore(file, { fsync: false });
    await a.saveFollower(fakeSubscriber(1));
    const d = await a.destination(ombDestination(fakeSubscriber(1).credentials.postNoticeUrl));
    assert.ok(d);
    await a.updateDestination({ ...d, cursor: 1 }, { count: "delivered", durable: false });
    await a.updateDestination({ ...d, cursor: 1, attempts: 1 }, { count: "retried" });
    await a.close();
    const b = await openJsonStore(file, { fsync: false });
    const today = (await b.dailyDeliveries(1))[0];
    await b.compact();
    assert.deepEqual(await b.dailyDeliveries(1), [today]);
    await b.close();
    assert.equal(today?.delivered, 1);
    assert.equal(today?.retried, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
