/**
 * Two delivery workers on one store that supports destination claims (as the PostgreSQL
 * store does for several processes): each destination is pushed by one worker at a time, so
 * every notice reaches every destination exactly once, and a claim held by a worker that is
 * gone lapses and is taken over.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Store } from "../sidecar/store/store.js";
import { notice, setup } from "./delivery-worker-setup.js";
import { waitFor } from "./helpers/receiver.js";

/** `delivery.claimSeconds`' default. */
const LEASE_MS = 60_000;

/** Claims kept beside a store, with a clock the test can move; records overlaps. */
function withClaims(store: Store) {
  const leases = new Map<string, { owner: string; until: number }>();
  let now = Date.now();
  const claimsApi = {
    async claimDestination(key: string, owner: string, leaseMs: number) {
      const l = leases.get(key);
      if (l && l.owner !== owner && l.until > now) return false;
      leases.set(key, { owner, until: now + leaseMs });
      return true;
    },
    async releaseDestination(key: string, owner: string) {
      if (leases.get(key)?.owner === owner) leases.delete(key);
    },
  };
  // The store's own methods run on the store itself (its private fields), the claims beside it.
  const shared = new Proxy(store, {
    get(target, prop) {
      if (prop in claimsApi) return claimsApi[prop as keyof typeof claimsApi];
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return {
    shared,
    leases,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

test("two workers on one shared store: each notice reaches each destination once", async () => {
  const s = await setup({ destinations: 12, start: false });
  const claims = withClaims(s.store);
  const workers = [1, 2].map(() => s.workerOn(claims.shared));
  try {
    await s.publish(notice(1), notice(2), notice(3));
    await Promise.all(workers.map((w) => w.drain()));
    for (let d = 0; d < 12; d++) {
      assert.deepEqual(
        s.receiver.notices(d),
        [1, 2, 3].map((i) => notice(i).uri),
        `destination ${d}: each notice once, in order`,
      );
    }
    assert.equal(claims.leases.size, 0, "every claim released");
    const delivered = workers.reduce((n, w) => n + w.counts.delivered, 0);
    assert.equal(delivered, 36, "36 deliveries between the two workers");
  } finally {
    await s.close();
  }
});

test("a destination claimed by a worker that is gone is taken over once its lease lapses", async () => {
  const s = await setup({ destinations: 2, start: false });
  const claims = withClaims(s.store);
  const worker = s.workerOn(claims.shared);
  try {
    const [dest] = await s.store.destinations();
    assert.ok(dest);
    // A process that died mid-push left its claim behind.
    await claims.shared.claimDestination?.(dest.key, "dead-process", LEASE_MS);
    await s.publish(notice(1));
    await worker.drain();
    assert.equal(
      s.receiver.notices(0).length + s.receiver.notices(1).length,
      1,
      "only the free one",
    );
    claims.advance(LEASE_MS + 1);
    await worker.drain();
    await waitFor(
      () => s.receiver.notices(0).length === 1 && s.receiver.notices(1).length === 1,
      "both",
    );
  } finally {
    await s.close();
  }
});
