// Several sidecar processes sharing one PostgreSQL database take a stream of signed
// postNotice requests (autocannon, 8 connections to each, fsync'd commits), and one of them
// is SIGKILLed at a random moment, 20 times, each restarted. After every kill the database
// holds every notice any process answered 200, and the last acknowledged requests of the
// killed process, sent again byte for byte to another process, are refused as replays: a
// nonce claimed by one process is seen by all.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sidecarEndpointUrl } from "../contract/public-paths.js";
import { migrate } from "../sidecar/store/postgres/migrate.js";
import { openPostgresStore } from "../sidecar/store/postgres/pg-store.js";
import type { Store } from "../sidecar/store/store.js";
import { fakeProfile } from "./helpers/fixtures.js";
import { findPgBin, PG_MISSING, type PgCluster, startPgCluster } from "./helpers/pg-cluster.js";
import { type Served, serve } from "./helpers/serve-process.js";
import { cannon } from "./load/autocannon.js";
import { between, crashSeed, seededRandom, sleep } from "./load/crash.js";
import { noticePool, type Pusher } from "./load/notice-pool.js";

const SITE = "http://site.example/";
const KILLS = 20;
/** Requests answered 200 just before each kill that are replayed at another process. */
const REPLAYS = 5;

/** A remote author the site follows, as the provider flow leaves it in the store. */
async function seedAuthor(store: Store): Promise<Pusher> {
  const profile = fakeProfile(1, "author.example");
  const consumerKey = "http://author.example/";
  const now = new Date().toISOString();
  const request = { token: "req-1", secret: "req-secret", consumerKey, createdAt: now };
  await store.saveRequestToken({ ...request, state: "issued" });
  assert.ok(await store.authorizeRequestToken(request.token, profile));
  const access = { token: "acc-1", secret: "acc-secret", consumerKey };
  const exchanged = await store.exchangeRequestToken(
    request.token,
    { ...access, listeneeUri: profile.uri, createdAt: now },
    {
      protocol: "omb",
      id: profile.uri,
      profile,
      credentials: { token: access.token, consumerKey },
      since: now,
    },
  );
  assert.ok(exchanged);
  return {
    postNoticeUrl: sidecarEndpointUrl(SITE, "postNotice"),
    consumerKey,
    token: access.token,
    tokenSecret: access.secret,
    listenee: profile.uri,
    license: profile.license,
  };
}

/** The URIs in `want` that the database's inbox lacks. */
async function missingFrom(store: Store, want: Iterable<string>): Promise<string[]> {
  const have = new Set((await store.inbox(Number.MAX_SAFE_INTEGER)).map((n) => n.uri));
  return [...want].filter((u) => !have.has(u));
}

let cluster: PgCluster | undefined;

describe("sidecar processes sharing PostgreSQL", { skip: findPgBin() ? false : PG_MISSING }, () => {
  before(async () => {
    cluster = await startPgCluster();
  });
  after(() => cluster?.stop());

  test(`3 processes take inbound pushes, one SIGKILLed ${KILLS} times: every 200 is stored, every nonce seen by all`, {
    timeout: 240_000,
  }, async (t) => {
    if (!cluster) throw new Error("the cluster did not start");
    const seed = crashSeed();
    const random = seededRandom(seed);
    const databaseUrl = await cluster.createDatabase("inbound");
    await migrate(databaseUrl);
    const dir = await mkdtemp(path.join(tmpdir(), "pg-inbound-"));
    const store = await openPostgresStore(databaseUrl, { max: 2 });
    const procs: Served[] = [];
    try {
      const pusher = await seedAuthor(store);
      const configFile = path.join(dir, "config.json");
      await writeFile(
        configFile,
        JSON.stringify({
          siteUrl: SITE,
          publicUrl: SITE,
          port: 0,
          dataFile: path.join(dir, "unused.json"),
          store: { kind: "postgres" },
          allowPrivateNetworks: true,
          logLevel: "warn",
          inbound: { pushesPerMinute: 10_000_000 },
        }),
      );
      const env = { ...process.env, FEDERATION_DATABASE_URL: databaseUrl };
      const start = () => serve(configFile, { env });
      for (let i = 0; i < 3; i++) procs.push(await start());

      const accepted = new Set<string>();
      let unanswered = 0;
      for (let k = 0; k < KILLS; k++) {
        const victim = k % procs.length;
        const bodies = new Map<string, string>();
        const acked: string[][] = procs.map(() => []);
        const refused: number[] = [];
        const stop = new AbortController();
        const runs = procs.map((proc, i) => {
          const pool = noticePool(pusher, `kill-${k}-at-${i}`, 1500);
          return cannon({
            url: proc.url.slice(0, -1),
            path: "/omb/postnotice",
            connections: 8,
            seconds: 20,
            signal: stop.signal,
            next: () => {
              const n = pool.next();
              // (a survivor's client sends on for up to 100 ms after the abort)
              bodies.set(n.key, n.body);
              return n;
            },
            onAnswer: (key, status) => {
              if (status !== 200) refused.push(status);
              else {
                accepted.add(key);
                acked[i]?.push(key);
              }
            },
          });
        });
        await sleep(between(random, 150, 1000));
        const killed = procs[victim]?.kill(); // SIGKILL now; the clients stop reading at once
        stop.abort();
        await killed;
        await Promise.all(runs);
        assert.deepEqual(refused, [], "no valid notice refused before the kill");
        const mine = acked[victim] ?? [];
        assert.ok(mine.length > 0, `round ${k}: the killed process answered some notices`);
        unanswered += bodies.size - acked.flat().length;

        // Everything acknowledged so far, by any process, is in the database.
        assert.deepEqual(await missingFrom(store, accepted), [], `after kill ${k + 1}: lost`);
        // The last acknowledged requests, sent again to another process: replays. The killed
        // process's go to a survivor; a survivor's go to the killed one's replacement.
        procs[victim] = await start();
        const survivor = (victim + 1) % procs.length;
        const replays: [string, Served][] = [
          ...mine.slice(-REPLAYS).map((key): [string, Served] => [key, procs[survivor] as Served]),
          ...(acked[survivor] ?? [])
            .slice(-REPLAYS)
            .map((key): [string, Served] => [key, procs[victim] as Served]),
        ];
        for (const [key, at] of replays) {
          const res = await fetch(`${at.url}omb/postnotice`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: bodies.get(key) ?? "",
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          assert.equal(
            res.status,
            401,
            `replay of ${key} at another process: ${text}\n${at.stderr().slice(-1500)}`,
          );
          assert.match(text, /nonce was already used/);
        }
        t.diagnostic(
          `kill ${k + 1}: ${acked.map((a) => a.length).join(" / ")} answered 200 (process ${victim + 1} killed)`,
        );
      }
      const stored = (await store.inbox(Number.MAX_SAFE_INTEGER)).length;
      assert.ok(stored >= accepted.size, "the inbox holds at least every acknowledged notice");
      t.diagnostic(
        `seed ${seed}: ${KILLS} SIGKILLs mid-stream across 3 processes, ${accepted.size} notices acknowledged, 0 lost; ${stored - accepted.size} of ${unanswered} unanswered notices were stored too`,
      );
    } finally {
      for (const p of procs) await p.kill();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
