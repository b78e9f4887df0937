import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deliveryStatus } from "../delivery/status.js";
import { openMemoryStore } from "../store/memory/memory-store.js";
import type { DeliveryFailure } from "../store/types.js";
import {
  deliveryLine,
  followersByInstance,
  type InstanceSummary,
  instanceKey,
  summarizeInstances,
} from "./instances.js";
import { B_ERROR, KEYS, seedInstances } from "./instances.test-helper.js";
import { groupFollowers } from "./status-data.js";
import { when } from "./when.js";

async function seeded(now = Date.now()) {
  const s = await openMemoryStore();
  await seedInstances(s, now);
  return s;
}

const hosts = (is: InstanceSummary[]) => is.map((g) => [g.host, g.count, g.state, g.failing]);

describe("followers by instance", () => {
  it("groups OMB and ActivityPub followers by instance, failing ones first, then by count", async () => {
    const r = await followersByInstance(await seeded());
    assert.equal(r.count, 8);
    assert.deepEqual(
      r.protocols.map((p) => [p.protocol, p.count]),
      [
        ["omb", 4],
        ["activitypub", 4],
      ],
    );
    assert.deepEqual(hosts(r.protocols[0]?.instances ?? []), [
      ["b.example", 1, "retrying", true],
      ["gone.example", 1, "given up", true],
      ["a.example", 2, "up to date", false],
    ]);
    assert.deepEqual(hosts(r.protocols[1]?.instances ?? []), [
      ["masto.example", 2, "sending", false],
      ["pleroma.example", 2, "sending", false],
    ]);
    const pleroma = r.protocols[1]?.instances[1];
    assert.equal(pleroma?.destinations.length, 2, "an inbox each: two destinations, one instance");
    assert.equal(pleroma?.behind, 3);
    assert.deepEqual(
      r.followers.get(instanceKey("activitypub", "masto.example"))?.map((f) => f.id),
      ["https://masto.example/users/zoe", "https://masto.example/users/max"],
      "every follower, newest first",
    );
  });

  it("keeps each instance's last error bounded on one line, and its newest permanent failure", async () => {
    const r = await followersByInstance(await seeded());
    const [b, gone, a] = r.protocols[0]?.instances ?? [];
    assert.ok(b?.lastError);
    assert.ok(b.lastError.length <= 301, `bounded: ${b.lastError.length}`);
    assert.ok(b.lastError.startsWith("HTTP 500: <h1>oops</h1> <script>"), b.lastError);
    assert.ok(!b.lastError.includes("\n"));
    assert.equal(b.destinations[0]?.lastError, b.lastError, "the destination's own copy too");
    assert.equal(b.lastFailure, undefined);
    assert.equal(gone?.lastError, "connect ECONNREFUSED");
    assert.match(gone?.lastFailure?.error ?? "", /^gave up after 9 attempts/);
    assert.equal(a?.lastError, undefined, "caught up: no current error");
    assert.deepEqual(
      [a?.lastFailure?.status, a?.lastFailure?.error],
      [400, "refused: <b>bad notice</b>"],
    );
    assert.ok(B_ERROR.length > 600, "the store keeps the full error; only the views cut it");
  });

  it("filters by protocol", async () => {
    const r = await followersByInstance(await seeded(), { protocol: "activitypub" });
    assert.equal(r.count, 4);
    assert.deepEqual(
      r.protocols.map((p) => p.protocol),
      ["activitypub"],
    );
    assert.equal(r.followers.get(instanceKey("omb", "a.example")), undefined);
  });

  it("matches failures by protocol and host (untagged ones are OMB's), newest first", async () => {
    const s = await seeded();
    const groups = groupFollowers(await s.followers(), (await deliveryStatus(s)).destinationStates);
    const failure = (id: string, destination: string, protocol?: "omb" | "activitypub") =>
      ({
        id,
        destination,
        error: id,
        at: new Date(0).toISOString(),
        ...(protocol ? { protocol } : {}),
      }) as DeliveryFailure;
    const out = summarizeInstances(groups, [
      failure("newest", "https://masto.example/users/zoe/inbox", "activitypub"),
      failure("untagged", "https://masto.example/inbox"),
      failure("older", "https://masto.example/inbox", "activitypub"),
      failure("omb-untagged", "https://a.example/postnotice"),
    ]);
    const byHost = new Map(
      out.flatMap((p) => p.instances.map((g) => [`${p.protocol} ${g.host}`, g])),
    );
    assert.equal(byHost.get("activitypub masto.example")?.lastFailure?.id, "newest");
    assert.equal(byHost.get("omb a.example")?.lastFailure?.id, "omb-untagged");
    assert.equal(byHost.get("omb b.example")?.lastFailure, undefined);
  });
});

describe("a destination's delivery line", () => {
  it("says caught up, behind, retrying (since, attempts, next) or given up", async () => {
    const now = Date.now();
    const r = await followersByInstance(await seeded(now));
    const d = new Map(
      r.protocols.flatMap((p) => p.instances.flatMap((g) => g.destinations.map((x) => [x.key, x]))),
    );
    const line = (key: string) => {
      const x = d.get(key);
      assert.ok(x, key);
      return deliveryLine(x);
    };
    assert.equal(line(KEYS.a), "caught up");
    assert.equal(line(KEYS.masto), "behind by 2 entries");
    assert.equal(
      line(KEYS.b),
      `retrying since ${when(new Date(now - 2 * 3600_000).toISOString())}: 3 failed attempts, next attempt ${when(new Date(now + 3600_000).toISOString())}; behind by 2 entries`,
    );
    assert.match(
      line(KEYS.gone),
      /^given up at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(9 failed attempts, failing since .*\); behind by 3 entries$/,
    );
    const due = d.get(KEYS.b);
    assert.ok(due);
    assert.match(deliveryLine({ ...due, state: "sending" }), /next attempt due now/);
    assert.match(
      deliveryLine({ ...due, attempts: 0, state: "waiting" }),
      /^behind by 2 entries; waiting: this sidecar does not speak OpenMicroBlogging now$/,
    );
  });
});
