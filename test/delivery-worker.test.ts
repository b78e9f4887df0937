import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { DEFAULT_LICENSE } from "../protocol/omb/constants.js";
import type { OmbProfile } from "../protocol/omb/profile.js";
import { parseConfig } from "../sidecar/config.js";
import type { DeliveryWorker } from "../sidecar/delivery/worker.js";
import { createEvents } from "../sidecar/events.js";
import { createLogger } from "../sidecar/log.js";
import { HttpClient } from "../sidecar/net/client.js";
import { openStore } from "../sidecar/store/open.js";
import type { Store } from "../sidecar/store/store.js";
import type { ManifestNotice, OmbFollower } from "../sidecar/store/types.js";
import { ombWorker } from "./helpers/delivery.js";
import { ombDestination, ombFollower, recordSync } from "./helpers/fixtures.js";
import { startReceiver, type TestReceiver, waitFor } from "./helpers/receiver.js";

const SITE = "https://site.example/";
const PROFILE: OmbProfile = {
  uri: SITE,
  profile: SITE,
  nickname: "ann",
  license: DEFAULT_LICENSE,
  fullname: "Ann",
  homepage: "",
  bio: "",
  location: "",
  avatar: "",
};

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function notice(i: number): ManifestNotice {
  return {
    uri: `${SITE}posts/${i}/`,
    url: `${SITE}posts/${i}/`,
    content: `Post number ${i}`,
    published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    license: DEFAULT_LICENSE,
  };
}

interface Setup {
  receiver: TestReceiver;
  store: Store;
  worker: DeliveryWorker;
  subs: OmbFollower[];
  /** Appends notices (and wakes the worker through the "outbound" event). */
  publish(...notices: ManifestNotice[]): Promise<number[]>;
  close(): Promise<void>;
}

async function setup(
  opts: {
    destinations?: number;
    perDestination?: number;
    delivery?: Record<string, number>;
    file?: boolean;
    start?: boolean;
  } = {},
): Promise<Setup> {
  const receiver = await startReceiver();
  let dataFile = ":memory:";
  if (opts.file) {
    const dir = await mkdtemp(path.join(tmpdir(), "delivery-"));
    dirs.push(dir);
    dataFile = path.join(dir, "store.json");
  }
  const store = await openStore(dataFile, { fsync: false });
  const config = parseConfig(
    {
      siteUrl: SITE,
      publicUrl: SITE,
      allowPrivateNetworks: true,
      delivery: {
        concurrency: 4,
        baseDelaySeconds: 0.02,
        maxDelaySeconds: 0.05,
        giveUpAfterDays: 1,
        ...opts.delivery,
      },
    },
    "test",
    tmpdir(),
    {},
  );
  const http = new HttpClient({
    allowPrivateNetworks: true,
    headersTimeoutMs: 300,
    totalTimeoutMs: 600,
  });
  const events = createEvents();
  const subs: OmbFollower[] = [];
  for (let d = 0; d < (opts.destinations ?? 3); d++) {
    for (let s = 0; s < (opts.perDestination ?? 1); s++) {
      const sub = ombFollower({
        uri: `http://listener.example/user/${d}-${s}`,
        profile: { ...PROFILE, uri: `http://listener.example/user/${d}-${s}`, nickname: `u${s}` },
        postNoticeUrl: receiver.postNoticeUrl(d),
        updateProfileUrl: receiver.updateProfileUrl(d),
        token: `tok-${d}-${s}`,
        secret: `sec-${d}-${s}`,
        subscribedAt: new Date().toISOString(),
      });
      receiver.secrets.set(sub.credentials.token, sub.credentials.secret);
      await store.saveFollower(sub);
      subs.push(sub);
    }
  }
  await recordSync(store, [], [], { initialized: true, profile: PROFILE });
  const worker = ombWorker({ config, store, http, log: createLogger("silent"), events });
  if (opts.start !== false) worker.start();
  return {
    receiver,
    store,
    worker,
    subs,
    publish: async (...notices) => {
      const seqs = await recordSync(
        store,
        notices.map((n) => ({ kind: "notice" as const, notice: n })),
        [],
        await store.syncState(),
      );
      events.emit("outbound");
      return seqs;
    },
    close: async () => {
      await worker.stop();
      await http.close();
      await store.close();
      await receiver.close();
    },
  };
}

const caughtUp = (s: Setup) => async () => {
  const head = await s.store.headSeq();
  return (await s.store.destinations()).every((d) => d.cursor === head);
};
const destinations = (s: Setup) => s.store.destinations();
const destinationAt = (s: Setup, d: number) =>
  s.store.destination(ombDestination(s.receiver.postNoticeUrl(d)));

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
