/**
 * The Store contract on PostgreSQL: a throwaway cluster, one migrated template database,
 * and a fresh copy of it for every test. Skips, saying what to install, without PostgreSQL.
 */
import { after, before, describe } from "node:test";
import {
  findPgBin,
  PG_MISSING,
  type PgCluster,
  startPgCluster,
} from "../../test/helpers/pg-cluster.js";
import { migrate } from "./postgres/migrate.js";
import { openPostgresStore } from "./postgres/pg-store.js";
import { storeContract } from "./store-contract.test-helper.js";

const TEMPLATE = "contract_template";
let cluster: PgCluster | undefined;
let databases = 0;

describe("PostgreSQL backend", { skip: findPgBin() ? false : PG_MISSING }, () => {
  before(async () => {
    cluster = await startPgCluster();
    await migrate(await cluster.createDatabase(TEMPLATE));
  });
  after(() => cluster?.stop());

  storeContract("postgres", async () => {
    if (!cluster) throw new Error("the cluster did not start");
    return openPostgresStore(await cluster.createDatabase(`contract_${++databases}`, TEMPLATE));
  });
});
