// Hostile peers on the consumer side, all at once (cases in ./consumer-peers-*.ts); then a check-up.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore } from "../../sidecar/store/open.js";
import { hostileDiscoveryCases } from "./consumer-peers-discovery.js";
import { MAX_GROWTH_MIB, rssBefore, setUpHostilePeers, sidecar } from "./consumer-peers-setup.js";
import { hostileTokenCases } from "./consumer-peers-tokens.js";
import { ACCESS_TOKEN } from "./peer.js";
import { memoryOf } from "./visitor.js";

/**
 * Hostile peers on the consumer side (issue 6, part 2): a visitor's "OMB service" that is
 * huge, slow, loops, lies about its content type, serves broken or entity-expanding XML, or
 * whose token endpoints hang or reset. Each attempt must end in the right failure page within
 * the HTTP client's limits (HttpClient defaults: 10 s for headers, 20 s per request), with
 * the sidecar's memory bounded and the sidecar still healthy. The cases run concurrently.
 */

setUpHostilePeers();

describe("hostile peers, all at once", { concurrency: true }, () => {
  hostileDiscoveryCases();
  hostileTokenCases();
});

describe("afterwards", () => {
  it("the sidecar is healthy, logged nothing unexpected, stored no subscriber, stayed small", async (t) => {
    const health = await fetch(new URL("healthz", sidecar.url), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(await health.text(), "ok");
    assert.doesNotMatch(sidecar.stderr(), /unexpected error|"level":(50|60)|Unhandled/i);
    const store = await openStore(sidecar.dataFile, { readOnly: true });
    try {
      const followers = await store.followers();
      const tokens = followers.map((s) => (s.protocol === "omb" ? s.credentials.token : ""));
      assert.ok(!tokens.includes(ACCESS_TOKEN.token), "no subscriber from a failed access token");
      assert.equal(followers.length, 0);
    } finally {
      await store.close();
    }
    const { rss, peak } = await memoryOf(sidecar.pid);
    t.diagnostic(
      `memory: ${rssBefore.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB, now ${rss.toFixed(0)} MiB`,
    );
    assert.ok(
      peak - rssBefore < MAX_GROWTH_MIB,
      `peak ${peak.toFixed(0)} MiB vs ${rssBefore.toFixed(0)} MiB before the hostile peers`,
    );
  });
});
