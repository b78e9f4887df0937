/** `eleventy-federation migrate`: what it did, exit 1 with the fix when the URL is missing or the server down. */
import assert from "node:assert/strict";
import type { ExecFileException } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { findPgBin, PG_MISSING, type PgCluster, startPgCluster } from "../helpers/pg-cluster.js";
import { cli } from "../helpers/serve-process.js";

let dir = "";
const configFile = (name: string) => path.join(dir, name);

/** Runs the CLI; the exit code with its output (0 when it succeeded). */
async function run(config: string, args: string[], env: NodeJS.ProcessEnv) {
  try {
    return { code: 0, ...(await cli(config, args, env)) };
  } catch (e) {
    const err = e as ExecFileException & { stdout: string; stderr: string };
    return { code: err.code ?? -1, stdout: err.stdout, stderr: err.stderr };
  }
}

const envWith = (url?: string): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.FEDERATION_DATABASE_URL;
  return url ? { ...env, FEDERATION_DATABASE_URL: url } : env;
};

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cli-migrate-"));
  const base = { siteUrl: "https://site.example/", publicUrl: "https://site.example/", port: 9 };
  await writeFile(configFile("pg.json"), JSON.stringify({ ...base, store: { kind: "postgres" } }));
  await writeFile(configFile("json.json"), JSON.stringify({ ...base, dataFile: "store.json" }));
});
after(() => rm(dir, { recursive: true, force: true }));

test("migrate: exit 1 and what to set when FEDERATION_DATABASE_URL is missing", async () => {
  const r = await run(configFile("pg.json"), ["migrate"], envWith());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /FEDERATION_DATABASE_URL is not set: set it to postgres:\/\//);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, "no stack");
});

test("migrate: exit 1 naming the server when nothing listens there, the password hidden", async () => {
  const r = await run(
    configFile("pg.json"),
    ["migrate"],
    envWith("postgres://me:hunter2@127.0.0.1:1/db"),
  );
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /cannot connect to PostgreSQL at 127\.0\.0\.1:1\/db \(ECONNREFUSED\): is it running/,
  );
  assert.doesNotMatch(r.stderr, /hunter2/);
});

test("migrate: a JSON store has nothing to migrate", async () => {
  const r = await run(configFile("json.json"), ["migrate"], envWith("postgres://x@127.0.0.1:1/db"));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nothing to migrate: .* uses the JSON store/);
});

describe("migrate on a real server", { skip: findPgBin() ? false : PG_MISSING }, () => {
  let cluster: PgCluster;
  let url = "";
  before(async () => {
    cluster = await startPgCluster();
    url = await cluster.createDatabase("cli");
  });
  after(() => cluster?.stop());

  test("migrate: from version 0 to the latest, then nothing to do; commands then use the database", async () => {
    const before = await run(configFile("pg.json"), ["following", "--json"], envWith(url));
    assert.equal(before.code, 1);
    assert.match(before.stderr, /Run `eleventy-federation migrate`/);
    const first = await run(configFile("pg.json"), ["migrate"], envWith(url));
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /PostgreSQL at 127\.0\.0\.1:\d+\/cli: schema migrated from version 0 to 1:\n {2}1: /,
    );
    const second = await run(configFile("pg.json"), ["migrate"], envWith(url));
    assert.match(second.stdout, /schema already at version 1, nothing to do/);
    const listed = await run(configFile("pg.json"), ["following", "--json"], envWith(url));
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), []);
  });
});
