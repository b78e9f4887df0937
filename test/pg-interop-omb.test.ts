// The interop suite test/subscribe.test.ts once more with its sidecars on PostgreSQL (each gets
// a migrated database of its own: test/helpers/test-store.ts).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { findPgBin, PG_MISSING } from "./helpers/pg-cluster.js";
import { databasesMade } from "./helpers/test-store.js";

if (findPgBin()) {
  process.env.TEST_STORE = "postgres";
  after(() => assert.ok(databasesMade() > 0, "the suite's sidecars ran on PostgreSQL"));
  await import("./subscribe.test.js");
} else test("the interop suite on PostgreSQL", { skip: PG_MISSING }, () => {});
