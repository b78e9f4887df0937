/**
 * Runs an interop suite once more with its sidecars on PostgreSQL (each gets a migrated
 * database of its own: test-store.ts), or skips it where PostgreSQL is not installed.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { findPgBin, PG_MISSING } from "./pg-cluster.js";
import { databasesMade } from "./test-store.js";

export async function onPostgres(suite: () => Promise<unknown>): Promise<void> {
  if (!findPgBin()) {
    test("the interop suite on PostgreSQL", { skip: PG_MISSING }, () => {});
    return;
  }
  process.env.TEST_STORE = "postgres";
  after(() => assert.ok(databasesMade() > 0, "the suite's sidecars ran on PostgreSQL"));
  await suite();
}
