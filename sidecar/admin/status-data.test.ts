import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fakeProfile, ombFollower } from "../../test/helpers/fixtures.js";
import { parseConfig } from "../config.js";
import { openMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/store.js";
import type { ApFollower, DailyDeliveries } from "../store/types.js";
import { deliveryChart } from "./chart.js";
import { followersSection } from "./followers-section.js";
import { statusReport } from "./status-data.js";
import { deliveringNow } from "./status-page.js";

const config = parseConfig(
  {
    siteUrl: "https://site.example/",
    publicUrl: "https://fed.site.example/",
    dataFile: "store.json",
  },
  "test",
  "/tmp",
  { hookSecret: "s" },
);

function omb(i: number, host: string, name = `u${i}`) {
  const p = { ...fakeProfile(i, host), nickname: name };
  return ombFollower({
    uri: p.uri,
    profile: p,
    postNoticeUrl: `https://${host}/postnotice`,
    updateProfileUrl: `https://${host}/updateprofile`,
    token: `t${i}`,
    secret: `s${i}`,
    subscribedAt: new Date(Date.UTC(2024, 0, i)).toISOString(),
  });
}

const ap: ApFollower = {
  protocol: "activitypub",
  id: "https://masto.example/users/zoe",
  profile: {
    id: "https://masto.example/users/zoe",
    handle: "zoe@masto.example",
    name: "Zoë",
    url: "https://masto.example/@zoe",
  },
  credentials: {
    inbox: "https://masto.example/users/zoe/inbox",
    sharedInbox: "https://masto.example/inbox",
    followId: "https://masto.example/f/1",
  },
  since: new Date(Date.UTC(2024, 1, 1)).toISOString(),
};

const notice = (n: number) => ({
  uri: `https://site.example/p/${n}/`,
  url: `https://site.example/p/${n}/`,
  content: `post ${n}`,
  title: `Post ${n}`,
  published: new Date(n * 1000).toISOString(),
  license: "http://creativecommons.org/licenses/by/3.0/",
});

/** Three destinations on two OMB hosts and one ActivityPub instance, then two entries. */
async function setUp(): Promise<Store> {
  const s = await openMemoryStore();
  await s.saveFollower(omb(1, "a.example"));
  await s.saveFollower(omb(2, "a.example"));
  await s.saveFollower(omb(3, "b.example"));
  await s.saveFollower(ap);
  await s.applySync({
    entries: [1, 2].map((n) => ({ entry: { kind: "notice" as const, notice: notice(n) } })),
    posts: [],
    state: { initialized: true },
  });
  return s;
}

describe("the status report", () => {
  it("groups followers by protocol and instance, ActivityPub included, with each destination's state", async () => {
    const s = await setUp();
    const [a, b, m] = [
      "omb https://a.example/postnotice",
      "omb https://b.example/postnotice",
      "activitypub https://masto.example/inbox",
    ];
    const da = await s.destination(a as string);
    const db = await s.destination(b as string);
    assert.ok(da && db);
    await s.updateDestination({ ...da, cursor: 2 }, { count: "delivered" });
    const later = new Date(Date.now() + 3600_000).toISOString();
    await s.updateDestination(
      {
        ...db,
        cursor: 1,
        attempts: 2,
        failingSince: new Date(0).toISOString(),
        retryAt: later,
        lastError: "HTTP 500: <h1>oops</h1>",
      },
      { count: "retried" },
    );
    const st = await statusReport(s, config, { speaks: (p) => p === "omb" });
    assert.deepEqual(
      st.followersByProtocol.map((g) => [
        g.protocol,
        g.count,
        g.instances.map((i) => [i.host, i.count]),
      ]),
      [
        [
          "omb",
          3,
          [
            ["a.example", 2],
            ["b.example", 1],
          ],
        ],
        ["activitypub", 1, [["masto.example", 1]]],
      ],
    );
    const zoe = st.followersByProtocol[1]?.instances[0]?.followers[0];
    assert.deepEqual(
      [zoe?.name, zoe?.fullname, zoe?.url],
      ["zoe@masto.example", "Zoë", "https://masto.example/@zoe"],
    );
    const state = (key: string) => st.destinationStates.find((d) => d.key === key);
    assert.equal(state(a)?.state, "up to date");
    assert.equal(state(b)?.state, "retrying");
    assert.equal(state(m)?.state, "waiting", "no ActivityPub transport in this process");
    assert.equal(st.fanOutFrom, 0);
    assert.deepEqual(state(a)?.progress, { done: 2, of: 2 });
    assert.deepEqual(state(b)?.progress, { done: 1, of: 2 });
    assert.deepEqual(
      st.recentEntries.map((e) => [e.seq, e.label, e.reached, e.of]),
      [
        [2, "Post 2", 1, 3],
        [1, "Post 1", 2, 3],
      ],
    );
    assert.equal(st.days.length, 14);
    assert.deepEqual([st.days.at(-1)?.delivered, st.days.at(-1)?.retried], [1, 1]);
    assert.deepEqual(st.secretsSet, { hookSecret: true, ownerPassword: false });
    assert.equal(deliveringNow(st), false, "a retry an hour away is not worth reloading for");
    const sending = await statusReport(s, config);
    assert.equal(sending.destinationStates.find((d) => d.key === m)?.state, "sending");
    assert.equal(deliveringNow(sending), true);
  });

  it("shows remote names escaped and without bidi controls, and caps the followers listed", async () => {
    const s = await openMemoryStore();
    await s.saveFollower(omb(30, "evil.example", "<img src=x onerror=alert(1)>\u202Egnp.exe"));
    for (let i = 1; i <= 24; i++) await s.saveFollower(omb(i, "evil.example"));
    const out = followersSection(await statusReport(s, config)).value;
    assert.ok(!out.includes("<img src=x"), "the name is escaped");
    assert.ok(out.includes("&lt;img src=x onerror=alert(1)&gt;gnp.exe"));
    assert.ok(!out.includes("\u202E"));
    assert.match(out, /and 5 more/);
  });
});

describe("the delivery chart", () => {
  const day = (d: number, delivered: number, retried: number, refused = 0): DailyDeliveries => ({
    day: `2030-01-${String(d).padStart(2, "0")}`,
    delivered,
    retried,
    refused,
    gaveUp: 0,
  });

  it("draws a bar pair per day to scale, titled and described, with the numbers in a table", () => {
    const out = deliveryChart([day(1, 10, 0), day(2, 5, 2, 1), day(3, 0, 0)]).value;
    assert.match(out, /<svg role="img" aria-labelledby="chart-title chart-desc"/);
    assert.match(
      out,
      /<title id="chart-title">Deliveries and failures per day, last 3 days<\/title>/,
    );
    assert.match(
      out,
      /<desc id="chart-desc">From 2030-01-01 to 2030-01-03: 15 delivered, 3 failed/,
    );
    const heights = [...out.matchAll(/<rect [^>]*height="(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(heights.length, 6);
    assert.equal(heights[0], 134, "the tallest bar fills the plot");
    assert.equal(heights[2], 67, "half as many, half as tall");
    assert.equal(heights[3], 40);
    assert.deepEqual([heights[4], heights[5]], [0, 0]);
    assert.match(
      out,
      /<tfoot><tr><th scope="row">Total<\/th><td>15<\/td><td>2<\/td><td>1<\/td><td>0<\/td>/,
    );
  });
});
