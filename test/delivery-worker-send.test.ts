// Delivery worker, the good path: notices and profile updates go out once per destination; drain.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  caughtUp,
  destinationAt,
  destinations,
  notice,
  PROFILE,
  SITE,
  setup,
} from "./delivery-worker-setup.js";
import { recordSync } from "./helpers/fixtures.js";
import { waitFor } from "./helpers/receiver.js";

test("each notice goes once to each destination, in order, validly signed; one store write per delivery", async () => {
  const s = await setup({ destinations: 6, perDestination: 2, file: true });
  try {
    const writesBefore = s.store.stats.writes;
    await s.publish(notice(1), notice(2));
    await waitFor(caughtUp(s), "every destination caught up");
    await s.worker.idle();
    for (let d = 0; d < 6; d++)
      assert.deepEqual(s.receiver.notices(d), [notice(1).uri, notice(2).uri]);
    assert.equal(s.receiver.pushes.length, 12);
    assert.ok(s.receiver.pushes.every((p) => p.signatureValid === true));
    assert.ok(s.receiver.pushes.every((p) => p.params.oauth_consumer_key === SITE));
    assert.equal(s.worker.counts.delivered, 12);
    // the sync's applySync plus at most one (group-committed) journal write per delivery
    assert.ok(s.store.stats.writes - writesBefore <= 1 + 12, `writes ${s.store.stats.writes}`);
    assert.ok((await destinations(s)).every((d) => d.attempts === 0 && !d.lastError));
  } finally {
    await s.close();
  }
});

test("profile entries go to updateProfile with all nine fields", async () => {
  const s = await setup({ destinations: 2, perDestination: 3 });
  try {
    const changed = { ...PROFILE, fullname: "Ann B.", avatar: "" };
    await recordSync(s.store, [{ kind: "profile", profile: changed }], [], {
      ...(await s.store.syncState()),
      profile: changed,
    });
    s.worker.wake();
    await waitFor(caughtUp(s), "profile push");
    const pushes = s.receiver.pushes.filter((p) => p.path.endsWith("/updateprofile"));
    assert.equal(pushes.length, 2, "once per destination, not per subscriber");
    for (const p of pushes) {
      assert.equal(p.params.omb_listenee_fullname, "Ann B.");
      assert.equal(p.params.omb_listenee_avatar, "");
      const fields = Object.keys(p.params).filter((k) => k.startsWith("omb_listenee"));
      assert.equal(fields.length, 9);
      assert.equal(p.signatureValid, true);
    }
  } finally {
    await s.close();
  }
});

test("drain sends everything pending in one foreground pass and leaves failures for later", async () => {
  const s = await setup({ destinations: 5, start: false });
  try {
    s.receiver.setMode("500", 4);
    await s.publish(notice(1), notice(2), notice(3));
    assert.equal(s.receiver.pushes.length, 0, "not started: nothing sent yet");
    const progress: number[] = [];
    const counts = await s.worker.drain({ onProgress: (c) => progress.push(c.delivered) });
    assert.equal(counts.delivered, 12);
    assert.equal(counts.retried, 1, "the failing destination was tried once");
    assert.equal(progress.at(-1), 12);
    for (let d = 0; d < 4; d++) assert.equal(s.receiver.notices(d).length, 3);
    assert.equal((await destinationAt(s, 4))?.attempts, 1);
  } finally {
    await s.close();
  }
});
