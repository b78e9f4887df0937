/** Schema migrations: refused at open until applied, applied once, safe when two run at once, refused when newer. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import {
  findPgBin,
  PG_MISSING,
  type PgCluster,
  startPgCluster,
} from "../../../test/helpers/pg-cluster.js";
import { checkSchema, migrate, migratePool, SchemaVersionError } from "./migrate.js";
import { openPostgresStore } from "./pg-store.js";
import { LATEST_VERSION, MIGRATIONS } from "./schema.js";

let cluster: PgCluster;
let n = 0;
const freshDatabase = () => cluster.createDatabase(`migrate_${++n}`);

async function versions(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number }>(
      "SELECT version FROM schema_version ORDER BY version",
    );
    return rows.map((r) => r.version);
  } finally {
    await client.end();
  }
}

describe("PostgreSQL migrations", { skip: findPgBin() ? false : PG_MISSING }, () => {
  before(async () => {
    cluster = await startPgCluster();
  });
  after(() => cluster?.stop());

  test("an unmigrated database is refused at open, with the command to run", async () => {
    const url = await freshDatabase();
    await assert.rejects(openPostgresStore(url), (e: Error) => {
      assert.ok(e instanceof SchemaVersionError, String(e));
      assert.match(e.message, /no eleventy-federation tables yet/);
      assert.match(e.message, /Run `eleventy-federation migrate`/);
      return true;
    });
  });

  test("migrate applies every step once; a second run is a no-op; the store then opens", async () => {
    const url = await freshDatabase();
    const first = await migrate(url);
    assert.deepEqual(
      { from: first.from, to: first.to, applied: first.applied.map((m) => m.version) },
      { from: 0, to: LATEST_VERSION, applied: MIGRATIONS.map((m) => m.version) },
    );
    const second = await migrate(url);
    assert.deepEqual(second, { from: LATEST_VERSION, to: LATEST_VERSION, applied: [] });
    assert.deepEqual(
      await versions(url),
      MIGRATIONS.map((m) => m.version),
    );
    const store = await openPostgresStore(url);
    assert.equal(store.backend, "postgres");
    assert.equal(await store.headSeq(), 0);
    await store.close();
  });

  test("two migrations at once: one applies the steps, the other waits and finds nothing to do", async () => {
    const url = await freshDatabase();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    assert.deepEqual(results.map((r) => r.applied.length).sort(), [0, 0, MIGRATIONS.length]);
    assert.deepEqual(
      await versions(url),
      MIGRATIONS.map((m) => m.version),
    );
  });

  test("a schema behind this build names its version; a newer one says to upgrade", async () => {
    const url = await freshDatabase();
    await migrate(url);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await assert.rejects(
        checkSchema(pool, LATEST_VERSION + 1),
        new RegExp(
          `is at schema version ${LATEST_VERSION}; .* needs version ${LATEST_VERSION + 1}\\. Run \`eleventy-federation migrate\``,
        ),
      );
      // A later release's step, applied by that release:
      const later = { version: LATEST_VERSION + 1, description: "later", sql: "SELECT 1" };
      assert.equal((await migratePool(pool, [...MIGRATIONS, later])).applied.length, 1);
    } finally {
      await pool.end();
    }
    await assert.rejects(
      openPostgresStore(url),
      /newer than this eleventy-federation knows .* Upgrade eleventy-federation/,
    );
    await assert.rejects(migrate(url), /Upgrade eleventy-federation/);
    assert.deepEqual(
      (await versions(url)).at(-1),
      LATEST_VERSION + 1,
      "the newer schema is left alone",
    );
  });

  test("a failing step leaves the database as it was", async () => {
    const url = await freshDatabase();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const broken = { version: LATEST_VERSION + 1, description: "broken", sql: "SELECT nope" };
      await assert.rejects(migratePool(pool, [...MIGRATIONS, broken]), /nope/);
      await assert.rejects(checkSchema(pool), /no eleventy-federation tables yet/);
    } finally {
      await pool.end();
    }
  });
});
