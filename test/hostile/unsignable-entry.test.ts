import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { test } from "node:test";
import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";
import type { OmbProfile } from "../../protocol/omb/profile.js";
import { parseConfig } from "../../sidecar/config.js";
import { createLogger } from "../../sidecar/log.js";
import { HttpClient } from "../../sidecar/net/client.js";
import { openStore } from "../../sidecar/store/open.js";
import type { ManifestNotice } from "../../sidecar/store/types.js";
import { ombWorker } from "../helpers/delivery.js";
import { ombFollower, recordSync } from "../helpers/fixtures.js";
import { startReceiver, waitFor } from "../helpers/receiver.js";

/**
 * An outbound entry the signer cannot encode (a lone surrogate slipped past the manifest
 * check, e.g. from an older store) used to throw inside the push, so the worker retried it
 * forever and the destination never got the entries after it. Now it is recorded as a
 * permanent failure and the destination moves on.
 */

const SITE = "https://site.example/";
const PROFILE: OmbProfile = {
  uri: SITE,
  profile: SITE,
  nickname: "ann",
  license: DEFAULT_LICENSE,
  fullname: "",
  homepage: "",
  bio: "",
  location: "",
  avatar: "",
};

function notice(i: number, content: string): ManifestNotice {
  return {
    uri: `${SITE}posts/${i}/`,
    url: `${SITE}posts/${i}/`,
    content,
    published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    license: DEFAULT_LICENSE,
  };
}

test("an unsignable entry is a recorded permanent failure; the next entry is delivered", async () => {
  const receiver = await startReceiver();
  const store = await openStore(":memory:", { fsync: false });
  const config = parseConfig(
    {
      siteUrl: SITE,
      publicUrl: SITE,
      allowPrivateNetworks: true,
      delivery: { baseDelaySeconds: 0.02, maxDelaySeconds: 0.05 },
    },
    "test",
    tmpdir(),
    {},
  );
  const http = new HttpClient({ allowPrivateNetworks: true, headersTimeoutMs: 500 });
  const worker = ombWorker({ config, store, http, log: createLogger("silent") });
  try {
    for (const id of [0, 1]) {
      const sub = ombFollower({
        uri: `http://listener.example/user/${id}`,
        profile: { ...PROFILE, uri: `http://listener.example/user/${id}` },
        postNoticeUrl: receiver.postNoticeUrl(id),
        updateProfileUrl: receiver.updateProfileUrl(id),
        token: `tok-${id}`,
        secret: `sec-${id}`,
        subscribedAt: new Date().toISOString(),
      });
      receiver.secrets.set(sub.credentials.token, sub.credentials.secret);
      await store.saveFollower(sub);
    }
    await recordSync(store, [], [], { initialized: true, profile: PROFILE });
    const [bad, good] = await recordSync(
      store,
      [
        { kind: "notice", notice: notice(1, "broken \ud800 text") },
        { kind: "notice", notice: notice(2, "fine") },
      ],
      [],
      await store.syncState(),
    );
    worker.start();
    await waitFor(
      () => receiver.notices(0).length === 1 && receiver.notices(1).length === 1,
      "the entry after the unsignable one reaches both destinations",
      5000,
    );
    assert.deepEqual(receiver.notices(0), [`${SITE}posts/2/`]);
    await waitFor(
      async () => (await store.destinations()).every((d) => d.cursor === good),
      "cursors at head",
    );
    const failures = (await store.failures(10)).filter((f) => f.seq === bad);
    assert.equal(failures.length, 2, "one failure per destination");
    for (const f of failures) assert.match(f.error, /cannot be signed \(URIError/);
    for (const d of await store.destinations()) {
      assert.equal(d.attempts, 0);
      assert.equal(d.failingSince, undefined);
    }
    assert.equal(worker.counts.refused, 2);
    assert.equal(worker.counts.delivered, 2);
  } finally {
    await worker.stop();
    await http.close();
    await store.close();
    await receiver.close();
  }
});
