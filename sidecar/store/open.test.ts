/** Choosing the backend from the config: JSON by default, PostgreSQL only with its URL from the environment. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseConfig } from "../config.js";
import { openConfiguredStore } from "./open.js";
import { PostgresError } from "./postgres/pool.js";

const base = { siteUrl: "https://site.example/", publicUrl: "https://site.example/" };
const parse = (extra: object) => parseConfig({ ...base, ...extra }, "test.json", "/srv", {});

test("the store is JSON unless the config says postgres; the pool defaults to 10 connections", () => {
  assert.deepEqual(parse({}).store, { kind: "json", pool: { max: 10 } });
  assert.deepEqual(parse({ store: { kind: "postgres", pool: { max: 3 } } }).store, {
    kind: "postgres",
    pool: { max: 3 },
  });
  assert.throws(() => parse({ store: { kind: "mysql" } }), /store\.kind/);
  assert.throws(() => parse({ store: { pool: { max: 0 } } }), /store\.pool\.max/);
});

test("a database URL in the config file is refused without being quoted", () => {
  for (const store of [
    { kind: "postgres", url: "postgres://owner:hunter2@db/federation" },
    { kind: "postgres", connectionString: "x" },
    { kind: "postgres", where: "postgresql://owner:hunter2@db/federation" },
  ]) {
    assert.throws(
      () => parse({ store }),
      (e: Error) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, /read only from the environment.*FEDERATION_DATABASE_URL=/);
        assert.doesNotMatch(e.message, /hunter2/);
        return true;
      },
    );
  }
});

test("postgres without FEDERATION_DATABASE_URL says what to set; JSON opens as before", async () => {
  const pgConfig = parse({ store: { kind: "postgres" } });
  await assert.rejects(
    openConfiguredStore(pgConfig, { env: {} }),
    (e: Error) =>
      e instanceof PostgresError && /FEDERATION_DATABASE_URL is not set/.test(e.message),
  );
  const memory = await openConfiguredStore({ ...parse({}), dataFile: ":memory:" });
  assert.equal(memory.backend, "memory");
  await memory.close();
});
