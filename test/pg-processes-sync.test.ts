// Two sidecar processes on one PostgreSQL database get the same deploy at the same moment
// (a load balancer sends one hook to each, or one's poll meets the other's hook), round
// after round: each new post is appended to the log once, never once per process.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { migrate } from "../sidecar/store/postgres/migrate.js";
import { CrashLoop, SITE } from "./helpers/crash-loop.js";
import { callDeployHook } from "./helpers/deploy-hook.js";
import { findPgBin, PG_MISSING, type PgCluster, startPgCluster } from "./helpers/pg-cluster.js";
import { testManifest, writeManifest } from "./helpers/receiver-manifest.js";
import { type Served, serve } from "./helpers/serve-process.js";

const ROUNDS = 15;
const SECRET = "sync-race-hook-secret";
let cluster: PgCluster | undefined;

describe("sidecar processes sharing PostgreSQL", { skip: findPgBin() ? false : PG_MISSING }, () => {
  before(async () => {
    cluster = await startPgCluster();
  });
  after(() => cluster?.stop());

  test(`the same deploy at two processes at once, ${ROUNDS} times: each post appended once`, {
    timeout: 120_000,
  }, async () => {
    if (!cluster) throw new Error("the cluster did not start");
    const databaseUrl = await cluster.createDatabase("sync_race");
    await migrate(databaseUrl);
    const dir = await mkdtemp(path.join(tmpdir(), "pg-sync-race-"));
    const site = new CrashLoop(dir, { step: 1, minKills: 0, maxStarts: 0, databaseUrl });
    const procs: Served[] = [];
    try {
      await site.writeConfig({ delivery: { concurrency: 1 } });
      await site.seedFirstSync(await site.openStore(), []);
      const env = {
        ...process.env,
        FEDERATION_DATABASE_URL: databaseUrl,
        FEDERATION_HOOK_SECRET: SECRET,
      };
      for (let i = 0; i < 2; i++) procs.push(await serve(site.configFile, { env }));
      const posts = [1, 2];
      for (let round = 0; round < ROUNDS; round++) {
        posts.push(posts.length + 1);
        await writeManifest(site.manifestFile, testManifest(SITE, posts));
        const answers = await Promise.all(
          procs.map((p) => callDeployHook(p.url, SECRET, { source: `race-${round}` })),
        );
        // each answers once its sync is recorded: one found the new post, the other nothing
        for (const res of answers) assert.equal(res.status, 200, await res.text());
        const head = await site.read((s) => s.headSeq());
        assert.equal(
          head,
          round + 1,
          `round ${round + 1}: ${head} log entries for ${round + 1} new posts`,
        );
      }
    } finally {
      for (const p of procs) await p.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
