import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { DEFAULT_LICENSE } from "../protocol/omb/constants.js";
import type { OmbProfile } from "../protocol/omb/profile.js";
import { parseConfig } from "../sidecar/config.js";
import { createEvents } from "../sidecar/context.js";
import { DeliveryWorker } from "../sidecar/delivery/worker.js";
import { createLogger } from "../sidecar/log.js";
import { HttpClient } from "../sidecar/net/client.js";
import { Store } from "../sidecar/store/store.js";
import type { ManifestNotice, Subscriber } from "../sidecar/store/types.js";
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
  subs: Subscriber[];
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
  const store = await Store.open(dataFile, { fsync: false });
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
  const subs: Subscriber[] = [];
  for (let d = 0; d < (opts.destinations ?? 3); d++) {
    for (let s = 0; s < (opts.perDestination ?? 1); s++) {
      const sub: Subscriber = {
        uri: `http://listener.example/user/${d}-${s}`,
        profile: { ...PROFILE, uri: `http://listener.example/user/${d}-${s}`, nickname: `u${s}` },
        postNoticeUrl: receiver.postNoticeUrl(d),
        updateProfileUrl: receiver.updateProfileUrl(d),
        token: `tok-${d}-${s}`,
        secret: `sec-${d}-${s}`,
        subscribedAt: new Date().toISOString(),
      };
      receiver.secrets.set(sub.token, sub.secret);
      await store.saveSubscriber(sub);
      subs.push(sub);
    }
  }
  await store.applySync([], [], { initialized: true, profile: PROFILE });
  const worker = new DeliveryWorker({ config, store, http, log: createLogger("silent"), events });
  if (opts.start !== false) worker.start();
  return {
    receiver,
    store,
    worker,
    subs,
    publish: async (...notices) => {
      const seqs = await store.applySync(
        notices.map((n) => ({ kind: "notice" as const, notice: n })),
        [],
        store.syncState(),
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

const caughtUp = (s: Setup) => () =>
  s.store.destinations().every((d) => d.cursor === s.store.headSeq());

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
    assert.ok(s.store.destinations().every((d) => d.attempts === 0 && !d.lastError));
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
      () => s.store.destinations().every((d) => d.attempts >= 2),
      "two failed attempts everywhere",
    );
    const errors = s.store.destinations().map((d) => d.lastError ?? "");
    assert.ok(errors.some((e) => /HTTP 500/.test(e)));
    assert.ok(errors.some((e) => /^reset|^http/.test(e)));
    assert.ok(errors.some((e) => /HTTP 200 without/.test(e)));
    assert.ok(errors.some((e) => /^timeout/.test(e)));
    assert.ok(s.store.destinations().every((d) => d.cursor === 0 && d.failingSince));
    for (let d = 0; d < 4; d++) s.receiver.setMode("ok", d);
    await waitFor(caughtUp(s), "recovery", 15_000);
    for (let d = 0; d < 4; d++) assert.deepEqual(s.receiver.notices(d), [notice(1).uri]);
    assert.ok(s.store.destinations().every((d) => d.attempts === 0 && !d.failingSince));
  } finally {
    await s.close();
  }
});

test("a 403 removes that subscription loudly and the next subscriber's token is used", async () => {
  const s = await setup({ destinations: 2, perDestination: 2 });
  try {
    const revoked = s.subs.find((x) => x.postNoticeUrl === s.receiver.postNoticeUrl(0));
    assert.ok(revoked);
    s.receiver.revoked.add(revoked.token);
    await s.publish(notice(1));
    await waitFor(caughtUp(s), "delivery");
    assert.deepEqual(s.receiver.notices(0), [notice(1).uri]);
    assert.equal(s.store.subscriber(revoked.uri), undefined);
    assert.equal(s.store.subscribers().length, 3);
    const failure = s.store.failures().find((f) => f.subscriber === revoked.uri);
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
    await waitFor(() => s.store.destinations().length === 1, "destination 1 dropped");
    await waitFor(caughtUp(s), "delivery");
    await s.worker.idle();
    assert.equal(s.store.subscribersAt(s.receiver.postNoticeUrl(1)).length, 0);
    assert.equal(s.worker.counts.gone, 1);
    assert.equal(s.store.failures().filter((f) => f.status === 403).length, 2);
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
    const [failure] = s.store.failures();
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
    await s.store.applySync([{ kind: "profile", profile: changed }], [], {
      ...s.store.syncState(),
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
    await waitFor(() => !!s.store.destination(s.receiver.postNoticeUrl(0))?.gaveUpAt, "give-up");
    const failure = s.store.failures().find((f) => f.destination === s.receiver.postNoticeUrl(0));
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
    const d = s.store.destination(s.receiver.postNoticeUrl(0));
    await waitFor(
      () => (s.store.destination(s.receiver.postNoticeUrl(0))?.attempts ?? 0) > 0,
      "retry state",
    );
    const retryAt = Date.parse(s.store.destination(s.receiver.postNoticeUrl(0))?.retryAt ?? "");
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
    assert.equal(s.store.destination(s.receiver.postNoticeUrl(4))?.attempts, 1);
  } finally {
    await s.close();
  }
});
