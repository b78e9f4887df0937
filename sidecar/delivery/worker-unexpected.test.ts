import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";
import { fakeProfile, fakeSubscriber } from "../../test/helpers/fixtures.js";
import { parseConfig } from "../config.js";
import { createEvents } from "../context.js";
import { createLogger } from "../log.js";
import type { HttpClient } from "../net/client.js";
import { Store } from "../store/store.js";
import { DeliveryWorker } from "./worker.js";

test("an unforeseen error from a push goes through backoff and shows as the destination's last error", async () => {
  const store = await Store.open(":memory:");
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
  await store.saveSubscriber(sub);
  await store.applySync([], [], { initialized: true, profile: fakeProfile(0, "site.example") });
  const worker = new DeliveryWorker({ config, store, http, log: createLogger("silent"), events });
  worker.start();
  try {
    await store.applySync(
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
      store.syncState(),
    );
    events.emit("outbound");
    const deadline = Date.now() + 5000;
    while ((store.destination(sub.postNoticeUrl)?.attempts ?? 0) < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const d = store.destination(sub.postNoticeUrl);
    assert.ok((d?.attempts ?? 0) >= 2, `attempts recorded: ${JSON.stringify(d)}`);
    assert.match(d?.lastError ?? "", /unexpected error: something nobody foresaw/);
    assert.ok(d?.failingSince, "failing since is set, so the give-up horizon applies");
    assert.ok(calls >= 2);
  } finally {
    await worker.stop();
    await store.close();
  }
});
