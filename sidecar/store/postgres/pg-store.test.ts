/**
 * What the contract suite cannot show on one store: two stores (two processes) sharing a
 * database, strings JSON allows but PostgreSQL's jsonb would refuse, and the messages of
 * a database that cannot be reached.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { fakeSubscriber, ombDestination } from "../../../test/helpers/fixtures.js";
import {
  findPgBin,
  PG_MISSING,
  type PgCluster,
  startPgCluster,
} from "../../../test/helpers/pg-cluster.js";
import type { Store } from "../store.js";
import { migrate } from "./migrate.js";
import { openPostgresStore } from "./pg-store.js";
import { PostgresError } from "./pool.js";

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

test("an unreachable server: the message names it and what to check, never the password", async () => {
  const url = `postgres://owner:hunter2@127.0.0.1:${await closedPort()}/federation`;
  await assert.rejects(openPostgresStore(url), (e: Error) => {
    assert.ok(e instanceof PostgresError, String(e));
    assert.match(
      e.message,
      /cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/federation \(ECONNREFUSED\): is it running/,
    );
    assert.match(e.message, /FEDERATION_DATABASE_URL=postgres:\/\/owner:\*\*\*@127\.0\.0\.1/);
    assert.doesNotMatch(e.message, /hunter2/);
    return true;
  });
  await assert.rejects(
    openPostgresStore("mysql://x@127.0.0.1/db"),
    /must start with postgres:\/\//,
  );
});

describe("PostgreSQL store, shared", { skip: findPgBin() ? false : PG_MISSING }, () => {
  let cluster: PgCluster;
  let url = "";
  const open: Store[] = [];
  const store = async () => {
    const s = await openPostgresStore(url);
    open.push(s);
    return s;
  };

  before(async () => {
    cluster = await startPgCluster();
    url = await cluster.createDatabase("shared");
    await migrate(url);
  });
  after(async () => {
    for (const s of open) await s.close();
    await cluster?.stop();
  });

  test("a missing database says to create it", async () => {
    await assert.rejects(
      openPostgresStore(cluster.url("nothing_here")),
      /\(3D000\): that database does not exist: create it/,
    );
  });

  test("a follower added where another leaves keeps the destination, from two stores at once", async () => {
    const [a, b] = [await store(), await store()];
    const leaving = fakeSubscriber(1, 2);
    const arriving = fakeSubscriber(3, 2);
    const key = ombDestination(leaving.credentials.postNoticeUrl);
    for (let round = 0; round < 30; round++) {
      await a.saveFollower(leaving);
      await Promise.all([a.removeFollower(leaving.id), b.saveFollower(arriving)]);
      assert.ok(
        await a.destination(key),
        `round ${round}: the destination went with a follower there`,
      );
      await b.removeFollower(arriving.id);
      assert.equal(
        await a.destination(key),
        undefined,
        `round ${round}: an empty destination stayed`,
      );
    }
  });

  test("nonces and compare-and-swap decide once across two stores", async () => {
    const [a, b] = [await store(), await store()];
    for (let round = 0; round < 20; round++) {
      const claims = await Promise.all(
        [a, b, a, b].map((s) => s.claimNonce(`n${round}`, Date.now() + 60_000)),
      );
      assert.equal(claims.filter(Boolean).length, 1);
      const swaps = await Promise.all([a, b].map((s, i) => s.kvCas(`k${round}`, undefined, i)));
      assert.equal(swaps.filter(Boolean).length, 1);
      const moves = await Promise.all(
        [a, b].map((s) => s.kvCas(`k${round}`, swaps[0] ? 0 : 1, "moved")),
      );
      assert.equal(moves.filter(Boolean).length, 1);
    }
  });

  test("a destination is claimed by one store at a time; a lapsed claim is taken over", async () => {
    const [a, b] = [await store(), await store()];
    const key = "omb http://claims.example/notice";
    assert.equal(await a.claimDestination?.(key, "a", 60_000), true);
    assert.equal(await b.claimDestination?.(key, "b", 60_000), false, "held by a");
    assert.equal(await a.claimDestination?.(key, "a", 60_000), true, "a renews its own");
    await b.releaseDestination?.(key, "b");
    assert.equal(await b.claimDestination?.(key, "b", 60_000), false, "b cannot release a's");
    await a.releaseDestination?.(key, "a");
    assert.equal(await b.claimDestination?.(key, "b", 1), true, "free once released");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await a.claimDestination?.(key, "a", 60_000), true, "b's 1 ms lease lapsed");
    // Claimed at once from both: exactly one wins.
    const races = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).claimDestination?.(`omb http://race.example/${i}`, `p${i % 2}`, 60_000),
      ),
    );
    assert.equal(races.filter(Boolean).length, 20, "distinct keys: all claimed");
    const same = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).claimDestination?.("omb x", `p${i}`, 60_000),
      ),
    );
    assert.equal(same.filter(Boolean).length, 1, "one key: one owner");
  });

  test("a sync in one store wakes the other's onOutbound (LISTEN/NOTIFY)", async () => {
    // A database of its own: the entries appended here would change the other tests' log.
    const own = await cluster.createDatabase("notify");
    await migrate(own);
    const [a, b] = [await openPostgresStore(own), await openPostgresStore(own)];
    open.push(a, b);
    let woken = 0;
    const stop = b.onOutbound?.(() => {
      woken++;
    });
    assert.ok(stop, "the PostgreSQL store offers onOutbound");
    // The first call comes when the listening connection is up.
    await waitUntil(() => woken >= 1);
    const before = woken;
    await a.applySync({
      entries: [
        {
          entry: {
            kind: "delete",
            uri: "http://x/1",
            url: "http://x/1",
            deletedAt: new Date().toISOString(),
          },
        },
      ],
      posts: [],
      state: await a.syncState(),
    });
    await waitUntil(() => woken > before);
    stop?.();
    const afterStop = woken;
    await a.applySync({
      entries: [
        {
          entry: {
            kind: "delete",
            uri: "http://x/2",
            url: "http://x/2",
            deletedAt: new Date().toISOString(),
          },
        },
      ],
      posts: [],
      state: await a.syncState(),
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(woken, afterStop, "no call after unsubscribing");
  });

  test("compacts on a timer: delivered log entries go without anyone calling compact()", async () => {
    const s = await openPostgresStore(url, { compactEveryMs: 20 });
    open.push(s);
    await s.saveFollower(fakeSubscriber(50));
    const notice = {
      kind: "delete" as const,
      uri: "u",
      url: "u",
      deletedAt: "2030-01-01T00:00:00Z",
    };
    const [seq] = await s.applySync({
      entries: [{ entry: notice }],
      posts: [],
      state: { initialized: true },
    });
    const d = await s.destination(ombDestination(fakeSubscriber(50).credentials.postNoticeUrl));
    assert.ok(d && seq);
    assert.equal((await s.outboundAfter(0, 10)).length, 1);
    await s.updateDestination({ ...d, cursor: seq });
    let left = 1;
    for (let i = 0; i < 200 && left > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      left = (await s.outboundAfter(0, 10)).length;
    }
    assert.equal(left, 0, "the delivered entry is still in the log");
  });

  test("text JSON allows but jsonb refuses (U+0000, lone surrogates) round-trips", async () => {
    const s = await store();
    const content = "nul \u0000 and a lone \ud800 surrogate";
    const notice = {
      protocol: "omb" as const,
      uri: "http://remote.example/notice/nul",
      listeneeUri: "http://remote.example/u",
      content,
      url: "",
      license: "",
      receivedAt: new Date().toISOString(),
    };
    assert.equal(await s.addInbox(notice), true);
    assert.equal((await s.inbox(1))[0]?.content, content);
    await s.kvSet("nul", { content });
    assert.deepEqual(await s.kvGet("nul"), { content });
  });
});

async function waitUntil(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
