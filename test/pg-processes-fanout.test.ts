// Two and three sidecar processes sharing one PostgreSQL database, one of them SIGKILLed at
// 20+ points of a fan-out (each restarted): every notice reaches every destination, and
// resends stay bounded by the kills, so the destination claims never let two processes
// push one destination at once (the scenario: test/helpers/crash-omb-fanout.ts).
import { after, before, describe, test } from "node:test";
import { migrate } from "../sidecar/store/postgres/migrate.js";
import { ombFanoutCrash } from "./helpers/crash-omb-fanout.js";
import { findPgBin, PG_MISSING, type PgCluster, startPgCluster } from "./helpers/pg-cluster.js";

let cluster: PgCluster | undefined;

describe("sidecar processes sharing PostgreSQL", { skip: findPgBin() ? false : PG_MISSING }, () => {
  before(async () => {
    cluster = await startPgCluster();
  });
  after(() => cluster?.stop());

  for (const processes of [2, 3]) {
    test(`${processes} processes, one SIGKILLed at 20+ points of a fan-out: every notice reaches every destination`, {
      timeout: 240_000,
    }, async (t) => {
      if (!cluster) throw new Error("the cluster did not start");
      const databaseUrl = await cluster.createDatabase(`fanout_${processes}`);
      await migrate(databaseUrl);
      await ombFanoutCrash(t, { processes, databaseUrl });
    });
  }
});
