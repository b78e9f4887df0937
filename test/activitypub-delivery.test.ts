/**
 * The ActivityPub transport through the real delivery worker, to loopback inboxes that check
 * every signature with an independent verifier: one POST per shared inbox, the Mastodon
 * outcome rules (4xx final except 401/408/429, 410 removes, Retry-After), the double knock,
 * and a retry that reuses the activity's id.
 */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { after, before, describe, it } from "node:test";
import { actorId } from "../protocol/activitypub/post-object.js";
import { actorKeyPair, generateRsaKeyPair } from "../sidecar/activitypub/actor-key.js";
import { ApTransport } from "../sidecar/activitypub/outbound/transport.js";
import { mainKeyId } from "../sidecar/activitypub/person.js";
import { parseConfig } from "../sidecar/config.js";
import { mastodonSchedule } from "../sidecar/delivery/backoff.js";
import { Transports } from "../sidecar/delivery/transport.js";
import { DeliveryWorker } from "../sidecar/delivery/worker.js";
import { createEvents } from "../sidecar/events.js";
import { createLogger } from "../sidecar/log.js";
import { HttpClient } from "../sidecar/net/client.js";
import { openStore } from "../sidecar/store/open.js";
import type { Store } from "../sidecar/store/store.js";
import type { ApFollower, OutboundEntry } from "../sidecar/store/types.js";
import { notice, PROFILE, SITE } from "./delivery-worker-setup.js";
import { type ApInboxes, startApInboxes } from "./helpers/ap-inbox.js";
import { recordSync } from "./helpers/fixtures.js";

const PUBLIC_URL = "http://sidecar.example/";

function follower(i: number, inbox: string, shared?: string): ApFollower {
  return {
    protocol: "activitypub",
    id: `http://peer.example/users/u${i}`,
    profile: {
      id: `http://peer.example/users/u${i}`,
      name: `U${i}`,
      url: `http://peer.example/@u${i}`,
    },
    credentials: {
      inbox,
      ...(shared ? { sharedInbox: shared } : {}),
      followId: `http://peer.example/follows/${i}`,
    },
    since: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
  };
}

/** The test's activity: the entry's seq and kind (the mapping to AS2 has its own tests). */
const render = async (entry: OutboundEntry, nickname: string) =>
  JSON.stringify({ id: `${PUBLIC_URL}ap/activities/${entry.seq}-${entry.kind}`, actor: nickname });

interface Rig {
  store: Store;
  inboxes: ApInboxes;
  worker: DeliveryWorker;
  publish(n: number): Promise<number[]>;
  close(): Promise<void>;
}

async function rig(followers: (inboxes: ApInboxes) => ApFollower[]): Promise<Rig> {
  const store = await openStore(":memory:", { fsync: false });
  const inboxes = await startApInboxes(async () => (await actorKeyPair(store)).publicKey);
  const config = parseConfig(
    {
      siteUrl: SITE,
      publicUrl: PUBLIC_URL,
      allowPrivateNetworks: true,
      delivery: { concurrency: 4 },
    },
    "test",
    tmpdir(),
    {},
  );
  const http = new HttpClient({
    allowPrivateNetworks: true,
    headersTimeoutMs: 500,
    totalTimeoutMs: 1000,
  });
  const log = createLogger("silent");
  const events = createEvents();
  const deps = { config, store, http, log, events };
  const transport = new ApTransport(deps, { render, retry: mastodonSchedule(0.015, 3) });
  const worker = new DeliveryWorker({ ...deps, transports: new Transports([transport]) });
  for (const f of followers(inboxes)) await store.saveFollower(f);
  await recordSync(store, [], [], { initialized: true, profile: PROFILE });
  let next = 1;
  return {
    store,
    inboxes,
    worker,
    publish: (n) =>
      recordSync(
        store,
        Array.from({ length: n }, () => ({ kind: "notice" as const, notice: notice(next++) })),
        [],
        { initialized: true, profile: PROFILE },
      ),
    async close() {
      await worker.stop();
      await http.close();
      await inboxes.close();
      await store.close();
    },
  };
}

describe("ActivityPub delivery", () => {
  let r: Rig;
  before(async () => {
    r = await rig((ib) => [
      // Three followers on one instance share its inbox; one elsewhere has only a personal inbox.
      follower(1, ib.url(91), ib.url(1)),
      follower(2, ib.url(92), ib.url(1)),
      follower(3, ib.url(93), ib.url(1)),
      follower(4, ib.url(4)),
    ]);
  });
  after(() => r.close());

  it("sends one signed POST per shared inbox, verified by a second implementation", async () => {
    await r.publish(2);
    await r.worker.drain();
    const byInbox = (n: number) => r.inboxes.received.filter((x) => x.inbox === n);
    assert.equal(byInbox(1).length, 2, "the shared inbox got each post once");
    assert.equal(byInbox(4).length, 2, "the personal inbox too");
    assert.equal(
      r.inboxes.received.filter((x) => x.inbox > 90).length,
      0,
      "no personal inbox of a shared instance",
    );
    assert.deepEqual(r.inboxes.unverified, []);
    const keyId = mainKeyId(actorId({ sidecarUrl: PUBLIC_URL, nickname: PROFILE.nickname })).href;
    for (const got of r.inboxes.received) {
      assert.equal(got.signature.scheme, "cavage", "draft-cavage first, as Mastodon sends");
      assert.equal(got.signature.keyId, keyId);
      for (const c of ["(request-target)", "host", "date", "digest"]) {
        assert.ok(got.signature.components.includes(c), `${c} signed`);
      }
    }
  });

  it("knocks again with RFC 9421 where cavage is answered 401", async () => {
    r.inboxes.behave(4, { only: "rfc9421" });
    const before = r.inboxes.received.length;
    await r.publish(1);
    await r.worker.drain();
    const got = r.inboxes.received.slice(before).filter((x) => x.inbox === 4);
    assert.equal(got.length, 1);
    assert.equal(got[0]?.signature.scheme, "rfc9421");
    for (const c of ["@method", "@target-uri", "content-digest"]) {
      assert.ok(got[0]?.signature.components.includes(c), `${c} signed`);
    }
    r.inboxes.behave(4, {});
  });

  it("a 4xx is final and recorded with the body; the destination moves on", async () => {
    r.inboxes.behave(1, { status: 422, body: "Unprocessable: object is too long" });
    const [seq] = await r.publish(1);
    await r.worker.drain();
    const failures = await r.store.failures();
    const failure = failures.find((f) => f.seq === seq && f.destination === r.inboxes.url(1));
    assert.ok(failure, "a failure recorded");
    assert.equal(failure.status, 422);
    assert.match(failure.error, /HTTP 422: Unprocessable: object is too long/);
    const d = (await r.store.destinations()).find((x) => x.url === r.inboxes.url(1));
    assert.equal(d?.cursor, seq, "moved past it");
    r.inboxes.behave(1, {});
  });

  it("429 with Retry-After is retried after that delay, with the same activity id", async () => {
    r.inboxes.behave(1, { status: 429, retryAfter: "1" });
    const [seq] = await r.publish(1);
    r.worker.start();
    await waitFor(async () => {
      const d = (await r.store.destinations()).find((x) => x.url === r.inboxes.url(1));
      return d?.attempts === 1;
    });
    const failedAt = Date.now();
    const d = (await r.store.destinations()).find((x) => x.url === r.inboxes.url(1));
    assert.match(d?.lastError ?? "", /HTTP 429/);
    assert.ok(Date.parse(d?.retryAt ?? "") - failedAt >= 900, "not before Retry-After");
    r.inboxes.behave(1, {});
    await waitFor(async () =>
      r.inboxes.received.some((x) => x.inbox === 1 && String(x.activity.id).includes(`/${seq}-`)),
    );
    const ids = r.inboxes.received
      .filter((x) => String(x.activity.id).includes(`/${seq}-`))
      .map((x) => x.activity.id);
    assert.equal(new Set(ids).size, 1, "the retry reused the activity id");
  });
});

describe("ActivityPub delivery: 410 Gone", () => {
  it("removes every follower who received at that inbox, and nobody else", async () => {
    const r = await rig((ib) => [
      follower(1, ib.url(91), ib.url(1)),
      follower(2, ib.url(92), ib.url(1)),
      follower(4, ib.url(4)),
    ]);
    try {
      r.inboxes.behave(1, { status: 410, body: "Gone" });
      await r.publish(1);
      await r.worker.drain();
      const left = (await r.store.followers("activitypub")).map((f) => f.id);
      assert.deepEqual(left, ["http://peer.example/users/u4"]);
      const failures = (await r.store.failures()).filter((f) => f.status === 410);
      assert.equal(failures.length, 2, "one failure per removed follower");
      assert.match(failures[0]?.error ?? "", /inbox is gone/);
    } finally {
      await r.close();
    }
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error("timed out waiting");
}

describe("the second verifier", () => {
  it("refuses a signature by another key and a body that does not match its digest", async () => {
    const { signRequest } = await import("@fedify/fedify");
    const { createServer } = await import("node:http");
    const { verifyRequest } = await import("./helpers/verify-signature.js");
    const [signer, other] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
    const outcomes: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const body = Buffer.concat(chunks);
        const key = req.headers["x-key"] === "other" ? other.publicKey : signer.publicKey;
        try {
          outcomes.push((await verifyRequest(req, body, key)).scheme);
        } catch (e) {
          outcomes.push(`refused: ${(e as Error).message}`);
        }
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/inbox`;
    try {
      for (const spec of ["draft-cavage-http-signatures-12", "rfc9421"] as const) {
        for (const variant of ["good", "other", "tampered"]) {
          const bytes = new TextEncoder().encode('{"type":"Create"}');
          const signed = await signRequest(
            new Request(url, {
              method: "POST",
              headers: { "content-type": "application/activity+json" },
              body: bytes,
            }),
            signer.privateKey,
            new URL("http://sidecar.example/ap/users/ann#main-key"),
            { spec, body: bytes.buffer as ArrayBuffer },
          );
          const headers = Object.fromEntries(signed.headers.entries());
          if (variant === "other") headers["x-key"] = "other";
          const sent = variant === "tampered" ? '{"type":"Delete"}' : '{"type":"Create"}';
          await fetch(url, { method: "POST", headers, body: sent });
        }
      }
    } finally {
      server.close();
    }
    assert.equal(outcomes[0], "cavage");
    assert.match(outcomes[1] ?? "", /^refused: cavage: bad signature/);
    assert.match(outcomes[2] ?? "", /^refused: digest/);
    assert.equal(outcomes[3], "rfc9421");
    assert.match(outcomes[4] ?? "", /^refused: rfc9421: bad signature/);
    assert.match(outcomes[5] ?? "", /^refused: digest/);
  });
});
