// Shared setup for the delivery-worker tests: a receiver, a store with followers, and the worker.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after } from "node:test";
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
import { startReceiver, type TestReceiver } from "./helpers/receiver.js";

export const SITE = "https://site.example/";
export const PROFILE: OmbProfile = {
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

export function notice(i: number): ManifestNotice {
  return {
    uri: `${SITE}posts/${i}/`,
    url: `${SITE}posts/${i}/`,
    content: `Post number ${i}`,
    published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    license: DEFAULT_LICENSE,
  };
}

export interface Setup {
  receiver: TestReceiver;
  store: Store;
  worker: DeliveryWorker;
  subs: OmbFollower[];
  /** Another worker with this setup's config and client, over `store` (e.g. a wrapper of it). */
  workerOn(store: Store): DeliveryWorker;
  /** Appends notices (and wakes the worker through the "outbound" event). */
  publish(...notices: ManifestNotice[]): Promise<number[]>;
  close(): Promise<void>;
}

export async function setup(
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
    workerOn: (other) => ombWorker({ config, store: other, http, log: createLogger("silent") }),
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

export const caughtUp = (s: Setup) => async () => {
  const head = await s.store.headSeq();
  return (await s.store.destinations()).every((d) => d.cursor === head);
};
export const destinations = (s: Setup) => s.store.destinations();
export const destinationAt = (s: Setup, d: number) =>
  s.store.destination(ombDestination(s.receiver.postNoticeUrl(d)));
