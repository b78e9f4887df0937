// Delivery worker, failing listeners: retries, 403 and 400 answers, give-up, Retry-After.
import assert from "node:assert/strict";
import { test } from "node:test";
import { caughtUp, destinationAt, destinations, notice, setup } from "./delivery-worker-setup.js";
import { ombDestination } from "./helpers/fixtures.js";
import { waitFor } from "./helpers/receiver.js";

test("a destination that fails (500, reset, wrong body, hang) is retried until it answers", async () => {
  const s = await setup({ destinations: 4 });
  try {
    s.receiver.setMode("500", 0);
    s.receiver.setMode("reset", 1);
    s.receiver.setMode("wrong-body", 2);
    s.receiver.setMode("hang", 3);
    await s.publish(notice(1));
    await waitFor(
      async () => (await destinations(s)).every((d) => d.attempts >= 2),
      "two failed attempts everywhere",
    );
    const errors = (await destinations(s)).map((d) => d.lastError ?? "");
    assert.ok(errors.some((e) => /HTTP 500/.test(e)));
    assert.ok(errors.some((e) => /^reset|^http/.test(e)));
    assert.ok(errors.some((e) => /HTTP 200 without/.test(e)));
    assert.ok(errors.some((e) => /^timeout/.test(e)));
    assert.ok((await destinations(s)).every((d) => d.cursor === 0 && d.failingSince));
    for (let d = 0; d < 4; d++) s.receiver.setMode("ok", d);
    await waitFor(caughtUp(s), "recovery", 15_000);
    for (let d = 0; d < 4; d++) assert.deepEqual(s.receiver.notices(d), [notice(1).uri]);
    assert.ok((await destinations(s)).every((d) => d.attempts === 0 && !d.failingSince));
  } finally {
    await s.close();
  }
});

test("a 403 removes that subscription loudly and the next subscriber's token is used", async () => {
  const s = await setup({ destinations: 2, perDestination: 2 });
  try {
    const revoked = s.subs.find((x) => x.credentials.postNoticeUrl === s.receiver.postNoticeUrl(0));
    assert.ok(revoked);
    s.receiver.revoked.add(revoked.credentials.token);
    await s.publish(notice(1));
    await waitFor(caughtUp(s), "delivery");
    assert.deepEqual(s.receiver.notices(0), [notice(1).uri]);
    assert.equal(await s.store.follower(revoked.id), undefined);
    assert.equal((await s.store.followers()).length, 3);
    const failure = (await s.store.failures()).find((f) => f.subscriber === revoked.id);
    assert.equal(failure?.status, 403);
    assert.match(failure?.error ?? "", /revoked.*Revoked accesstoken/);
  } finally {
    await s.close();
  }
});

test("when every subscriber at a destination revoked us, the destination is gone", async () => {
  const s = await setup({ destinations: 2, perDestination: 2 });
  try {
    s.receiver.setMode("403", 1);
    await s.publish(notice(1));
    await waitFor(async () => (await destinations(s)).length === 1, "destination 1 dropped");
    await waitFor(caughtUp(s), "delivery");
    await s.worker.idle();
    const at1 = await s.store.followersAt(ombDestination(s.receiver.postNoticeUrl(1)));
    assert.equal(at1.length, 0);
    assert.equal(s.worker.counts.gone, 1);
    assert.equal((await s.store.failures()).filter((f) => f.status === 403).length, 2);
    assert.deepEqual(s.receiver.notices(0), [notice(1).uri]);
  } finally {
    await s.close();
  }
});

test("a 400 is a permanent failure for that entry: recorded, and the next entry goes out", async () => {
  const s = await setup({ destinations: 1 });
  try {
    s.receiver.onPush = (p) => {
      if (p.params.omb_notice === notice(1).uri) s.receiver.setMode("ok", 0);
    };
    s.receiver.setMode("400", 0);
    await s.publish(notice(1), notice(2));
    await waitFor(caughtUp(s), "delivery");
    assert.deepEqual(s.receiver.notices(0), [notice(2).uri]);
    const [failure] = await s.store.failures();
    assert.equal(failure?.seq, 1);
    assert.equal(failure?.status, 400);
    assert.equal(s.worker.counts.refused, 1);
  } finally {
    await s.close();
  }
});

test("a destination failing past the give-up horizon is given up, recorded and skipped", async () => {
  const s = await setup({
    destinations: 2,
    delivery: { giveUpAfterDays: 0.2 / 86_400, baseDelaySeconds: 0.02, maxDelaySeconds: 0.05 },
  });
  try {
    s.receiver.setMode("500", 0);
    await s.publish(notice(1));
    await waitFor(async () => !!(await destinationAt(s, 0))?.gaveUpAt, "give-up");
    const failure = (await s.store.failures()).find(
      (f) => f.destination === s.receiver.postNoticeUrl(0),
    );
    assert.match(failure?.error ?? "", /gave up after \d+ attempts.*HTTP 500/);
    assert.deepEqual(s.receiver.notices(1), [notice(1).uri]);
    const pushes = s.receiver.pushes.length;
    await s.publish(notice(2));
    await waitFor(() => s.receiver.notices(1).length === 2, "live destination gets notice 2");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.receiver.pushes.length, pushes + 1, "nothing more sent to the given-up one");
  } finally {
    await s.close();
  }
});

test("429 with Retry-After waits at least that long", async () => {
  const s = await setup({
    destinations: 1,
    delivery: { baseDelaySeconds: 0.01, maxDelaySeconds: 5 },
  });
  try {
    s.receiver.setMode("503-retry-after", 0);
    await s.publish(notice(1));
    await waitFor(() => s.receiver.pushes.length === 1, "first attempt");
    const d = await destinationAt(s, 0);
    await waitFor(async () => ((await destinationAt(s, 0))?.attempts ?? 0) > 0, "retry state");
    const retryAt = Date.parse((await destinationAt(s, 0))?.retryAt ?? "");
    assert.ok(d);
    assert.ok(retryAt - Date.now() > 800, "Retry-After: 1 honoured");
  } finally {
    await s.close();
  }
});
