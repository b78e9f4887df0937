import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fakeSubscriber } from "../../test/helpers/fixtures.js";
import {
  findPgBin,
  PG_MISSING,
  type PgCluster,
  startPgCluster,
} from "../../test/helpers/pg-cluster.js";
import {
  ACTOR_KEY,
  EXPIRED_KV,
  EXPIRED_NONCE,
  LIVE_NONCE,
  populate,
  SECRET_NAME,
} from "../../test/helpers/populated-store.js";
import { copyStore, StoreCopyError } from "./copy.js";
import { type StoreDump, StoreNotEmptyError } from "./dump.js";
import { openJsonStore } from "./json/json-store.js";
import { openMemoryStore } from "./memory/memory-store.js";
import { migrate } from "./postgres/migrate.js";
import { openPostgresStore } from "./postgres/pg-store.js";
import { destinationOf, type Store } from "./store.js";
import { notice } from "./store-contract-fixtures.test-helper.js";

const TEMPLATE = "copy_template";
let cluster: PgCluster | undefined;
let dir = "";
let databases = 0;

async function freshPg(): Promise<Store> {
  if (!cluster) throw new Error("the cluster did not start");
  return openPostgresStore(await cluster.createDatabase(`copy_${++databases}`, TEMPLATE));
}

const dumpOf = (s: Store, now?: number): Promise<StoreDump> => {
  if (!s.exportDump) throw new Error(`${s.backend} has no exportDump`);
  return s.exportDump({ now });
};

/** What a running sidecar reads, through the Store API, from either store. */
async function reads(s: Store) {
  return {
    followers: await s.followers(),
    omb: await s.followers("omb"),
    count: await s.countFollowers(),
    at: await s.followersAt(destinationOf(fakeSubscriber(1, 2)).key),
    destinations: await s.destinations(),
    log: await s.outboundAfter(0, 100),
    tail: await s.outboundAfter(1, 100),
    head: await s.headSeq(),
    published: [...(await s.publishedPosts())].sort(([a], [b]) => (a < b ? -1 : 1)),
    sync: await s.syncState(),
    followed: await s.followed(),
    failures: await s.failures(),
    issued: await s.requestToken("rt-issued"),
    authorized: await s.requestToken("rt-authorized"),
    used: await s.requestToken("rt-used"),
    access: await s.accessToken("at-1"),
    pending: await s.pendingSubscription("rt-pending"),
    inbox: await s.inbox(),
    actorKey: await s.kvGet(ACTOR_KEY),
    kv: await s.kvList(""),
    daily: await s.dailyDeliveries(30),
  };
}

describe("store copy (exportDump, importDump, copyStore)", () => {
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "store-copy-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("leaves out what expired, and refuses to import into a store holding anything", async () => {
    const source = await openMemoryStore();
    await populate(source);
    const dump = await dumpOf(source);
    assert.deepEqual(
      dump.nonces.map((n) => n.key),
      [LIVE_NONCE],
      "the nonce past its window is not copied",
    );
    assert.ok(!dump.kv.some((e) => e.key === EXPIRED_KV), "an expired kv entry is not copied");
    assert.equal(dump.requestTokens.length, 3);

    const target = await openMemoryStore();
    await target.secret("other");
    const before = await dumpOf(target);
    await assert.rejects(target.importDump?.(dump) ?? Promise.reject(), (e: Error) => {
      assert.ok(e instanceof StoreNotEmptyError);
      assert.match(e.message, /memory store is not empty \(it holds 1 secrets\)/);
      return true;
    });
    assert.deepEqual(await dumpOf(target, Date.now()), before, "nothing was written");
  });

  it("fails the verification when the copy does not read back as the source", async () => {
    const source = await openMemoryStore();
    await populate(source);
    const target = await openMemoryStore();
    const real = target.exportDump?.bind(target);
    if (!real) throw new Error("the memory store has no exportDump");
    target.exportDump = async (opts) => {
      const d = await real(opts);
      d.followers.reverse();
      return d;
    };
    await assert.rejects(copyStore(source, target), (e: Error) => {
      assert.ok(e instanceof StoreCopyError);
      assert.match(
        e.message,
        /followers differ \(the source has 6, the copy 6, first at record 1\)/,
      );
      return true;
    });
  });

  describe("JSON → PostgreSQL → JSON", { skip: findPgBin() ? false : PG_MISSING }, () => {
    before(async () => {
      cluster = await startPgCluster();
      await migrate(await cluster.createDatabase(TEMPLATE));
    });
    after(() => cluster?.stop());

    it("copies everything, in order, and the copy answers as the source did", async () => {
      const file = path.join(dir, "a", "store.json");
      const filled = await openJsonStore(file, { fsync: false });
      await populate(filled);
      // Copied as a sidecar leaves it: from the files (a restart rebuilds the indexes in the
      // tables' order; the running store's followersAt lists a replaced follower last).
      await filled.close();
      const json = await openJsonStore(file, { fsync: false });
      const pg = await freshPg();
      const back = await openJsonStore(path.join(dir, "b", "store.json"), { fsync: false });
      try {
        const steps: string[] = [];
        const counts = await copyStore(json, pg, (step) => steps.push(step));
        assert.deepEqual(steps, ["export", "import", "verify"]);
        assert.deepEqual(counts, {
          followers: 6,
          destinations: 4,
          followed: 2,
          outbound: 3,
          published: 3,
          failures: 1,
          requestTokens: 3,
          accessTokens: 1,
          pending: 1,
          nonces: 1,
          inbox: 2,
          kv: 2,
          secrets: 1,
          daily: 1,
        });
        await copyStore(pg, back);
        const now = Date.now();
        const original = await dumpOf(json, now);
        assert.deepEqual(await dumpOf(pg, now), original);
        assert.deepEqual(await dumpOf(back, now), original);
        assert.deepEqual(
          original.destinations.map((d) => [d.cursor, d.attempts]),
          [
            [2, 0],
            [1, 2],
            [0, 0],
            [0, 0],
          ],
          "in the order they were created, with their cursors and retry state",
        );

        const expected = await reads(json);
        assert.deepEqual(await reads(pg), expected);
        assert.deepEqual(await reads(back), expected);
        assert.equal(expected.followers[0]?.since, new Date(5000).toISOString());
        assert.equal(expected.used?.state, "used");
        assert.equal(expected.authorized?.state, "authorized");
        assert.ok(expected.actorKey, "the actor key was copied");
        assert.equal(await pg.secret(SECRET_NAME), await json.secret(SECRET_NAME));
        assert.equal(await back.secret(SECRET_NAME), await json.secret(SECRET_NAME));
        assert.equal(
          await pg.claimNonce(LIVE_NONCE, Date.now() + 60_000),
          false,
          "the copied nonce is a replay",
        );
        assert.equal(await pg.claimNonce(EXPIRED_NONCE, Date.now() + 60_000), true);
        // The copy goes on where the source left off.
        const next = { kind: "notice", notice: notice(3) } as const;
        assert.deepEqual(
          await pg.applySync({ entries: [{ entry: next }], posts: [], state: expected.sync }),
          [4],
        );
      } finally {
        await Promise.all([json.close(), pg.close(), back.close()]);
      }
    });

    it("refuses to import into a database holding anything, and changes nothing", async () => {
      const source = await openMemoryStore();
      await populate(source);
      const pg = await freshPg();
      try {
        await pg.saveFollower(fakeSubscriber(99));
        const before = await dumpOf(pg);
        await assert.rejects(copyStore(source, pg), (e: Error) => {
          assert.ok(e instanceof StoreNotEmptyError);
          assert.match(
            e.message,
            /postgres store is not empty \(it holds 1 followers, 1 destinations\)/,
          );
          return true;
        });
        assert.deepEqual(await dumpOf(pg, Date.now()), before);
      } finally {
        await pg.close();
      }
    });

    it("keeps the order of thousands of records across its bulk inserts", async () => {
      const source = await openMemoryStore();
      for (let i = 2_500; i > 0; i--) await source.saveFollower(fakeSubscriber(i, 7));
      for (let i = 0; i < 2_100; i++) await source.kvSet(`k${(i * 7919) % 2_100}`, i);
      const pg = await freshPg();
      const back = await openMemoryStore();
      try {
        await copyStore(source, pg);
        await copyStore(pg, back);
        assert.deepEqual(await back.followers(), await source.followers());
        assert.deepEqual(await back.kvList(""), await source.kvList(""));
        assert.equal((await pg.followers())[0]?.id, fakeSubscriber(2_500).id);
      } finally {
        await pg.close();
      }
    });
  });
});
