import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";
import { ombWorker } from "../../test/helpers/delivery.js";
import {
  fakeProfile,
  fakeSubscriber,
  ombDestination,
  recordSync,
} from "../../test/helpers/fixtures.js";
import { parseConfig } from "../config.js";
import { createEvents } from "../events.js";
import { createLogger } from "../log.js";
import type { HttpClient } from "../net/client.js";
import { openStore } from "../store/open.js";

test("an unforeseen error from a push goes through backoff and shows as the destination's last error", async () => {
  const store = await openStore(":memory:");
  const config = parseConfig(
    {
      siteUrl: "http://site.example/",
      publicUrl: "http://site.example/",
      delivery: { baseDelaySeconds: 0.01, maxDelaySeconds: 0.02 },
    },
    "test",
    "/",
    {},
  );
  let calls = 0;
  const http = {
    postForm: async () => {
      calls++;
      throw new Error("something nobody foresaw");
    },
  } as unknown as HttpClient;
  const events = createEvents();
  const sub = fakeSubscriber(1);
  await store.saveFollower(sub);
  await recordSync(store, [], [], { initialized: true, profile: fakeProfile(0, "site.example") });
  const worker = ombWorker({ config, store, http, log: createLogger("silent"), events });
  worker.start();
  try {
    await recordSync(
      store,
      [
        {
          kind: "notice",
          notice: {
            uri: "http://site.example/p/1/",
            url: "http://site.example/p/1/",
            content: "hi",
            published: new Date().toISOString(),
            license: DEFAULT_LICENSE,
          },
        },
      ],
      [],
      await store.syncState(),
    );
    events.emit("outbound");
    const deadline = Date.now() + 5000;
    const key = ombDestination(sub.credentials.postNoticeUrl);
    while (((await store.destination(key))?.attempts ?? 0) < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const d = await store.destination(key);
    assert.ok((d?.attempts ?? 0) >= 2, `attempts recorded: ${JSON.stringify(d)}`);
    assert.match(d?.lastError ?? "", /unexpected error: something nobody foresaw/);
    assert.ok(d?.failingSince, "failing since is set, so the give-up horizon applies");
    assert.ok(calls >= 2);
  } finally {
    await worker.stop();
    await store.close();
  }
});
