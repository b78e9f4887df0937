/** `eleventy-federation store copy` as a shell runs it: JSON → PostgreSQL → JSON, and its refusals. */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { FileConfig } from "../sidecar/config.js";
import type { StoreDump } from "../sidecar/store/dump.js";
import { openJsonStore } from "../sidecar/store/json/json-store.js";
import { migrate } from "../sidecar/store/postgres/migrate.js";
import type { Store } from "../sidecar/store/store.js";
import { findPgBin, PG_MISSING, type PgCluster, startPgCluster } from "./helpers/pg-cluster.js";
import { populate } from "./helpers/populated-store.js";
import { cli } from "./helpers/serve-process.js";

let cluster: PgCluster;
let dir = "";
let configFile = "";
let source = "";
let databases = 0;

const { FEDERATION_DATABASE_URL: _unset, ...baseEnv } = process.env;

/** `store copy --from … --to …` with FEDERATION_DATABASE_URL at `url` (unset without). */
function copy(from: string, to: string, url?: string) {
  const env = url ? { ...baseEnv, FEDERATION_DATABASE_URL: url } : baseEnv;
  return cli(configFile, ["store", "copy", "--from", from, "--to", to], env);
}

/** Rejects with exit code 1 and a stderr matching `message`. */
async function refused(run: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(run, (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, message);
    assert.doesNotMatch(e.stderr, /unexpected error|\n\s+at /, "a user error, without a stack");
    return true;
  });
}

async function migrated(): Promise<string> {
  const url = await cluster.createDatabase(`cli_${++databases}`);
  await migrate(url);
  return url;
}

async function dumpOfFile(file: string, now: number): Promise<StoreDump> {
  const s: Store = await openJsonStore(file, { fsync: false });
  try {
    if (!s.exportDump) throw new Error("no exportDump");
    return await s.exportDump({ now });
  } finally {
    await s.close();
  }
}

describe("eleventy-federation store copy", { skip: findPgBin() ? false : PG_MISSING }, () => {
  before(async () => {
    cluster = await startPgCluster();
    dir = await mkdtemp(path.join(tmpdir(), "store-copy-cli-"));
    configFile = path.join(dir, "config.json");
    source = path.join(dir, "old", "store.json");
    const config: FileConfig = {
      siteUrl: "https://site.example/",
      publicUrl: "https://site.example/",
      dataFile: "old/store.json",
      fsync: false,
      logLevel: "warn",
    };
    await writeFile(configFile, JSON.stringify(config));
    const s = await openJsonStore(source, { fsync: false });
    await populate(s);
    await s.close();
  });
  after(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("copies JSON → PostgreSQL → a new JSON file, prints the counts, and verifies", async () => {
    // The cluster trusts every connection: the password is there to be kept out of the output.
    const url = (await migrated()).replace("postgres@", "postgres:hunter2@");
    const up = await copy(source, "postgres", url);
    assert.match(
      up.stdout,
      /^Copied .*old\/store\.json to PostgreSQL at 127\.0\.0\.1:\d+\/cli_\d+:/,
    );
    assert.match(up.stdout, /^ {2}followers +6$/m);
    assert.match(up.stdout, /^ {2}requestTokens +3$/m);
    assert.match(up.stdout, /^ {2}nonces +1$/m);
    assert.match(up.stdout, /^verified: /m);
    assert.match(up.stdout, /set "store": \{"kind": "postgres"\} in .*config\.json/);
    assert.doesNotMatch(up.stdout + up.stderr, /hunter2|-secret|xyz/, "no password, token or key");

    const back = path.join(dir, "new", "store.json");
    const down = await copy("postgres", back, url);
    assert.match(down.stdout, /^verified: /m);
    const now = Date.now();
    assert.deepEqual(await dumpOfFile(back, now), await dumpOfFile(source, now));
  });

  it("refuses a target that is not empty, and writes nothing", async () => {
    const url = await migrated();
    await copy(source, "postgres", url);
    await refused(
      copy(source, "postgres", url),
      /--to PostgreSQL at .*: .*postgres store is not empty \(it holds 6 followers, .*\)[^\n]*Nothing was written\./,
    );
    const before = await dumpOfFile(source, Date.now());
    await refused(copy("postgres", source, url), /json store is not empty .*Nothing was written\./);
    assert.deepEqual(await dumpOfFile(source, Date.now()), before);
  });

  it("refuses a JSON source in use by a running store: stop the sidecar first", async () => {
    const running = await openJsonStore(source, { fsync: false });
    try {
      await refused(
        copy(source, "postgres", await migrated()),
        /another sidecar \(pid \d+, .*\) is using .*store\.json.*\n.*stop the sidecar first/,
      );
    } finally {
      await running.close();
    }
  });

  it("refuses an unmigrated database, saying to run migrate", async () => {
    const url = await cluster.createDatabase(`cli_${++databases}`);
    await refused(
      copy(source, "postgres", url),
      /has no eleventy-federation tables yet.*Run `eleventy-federation migrate`/,
    );
  });

  it("says what is missing: the source file, the database URL, a second store", async () => {
    await refused(
      copy(path.join(dir, "nowhere.json"), "postgres", await migrated()),
      /--from .*nowhere\.json: no such JSON data file/,
    );
    await refused(
      copy(source, "postgres"),
      /--to postgres means .*FEDERATION_DATABASE_URL, which is not set/,
    );
    await refused(
      copy("postgres", "postgres", await migrated()),
      /--from and --to name the same store/,
    );
  });
});
