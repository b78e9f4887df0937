/**
 * The interop tests run once more on PostgreSQL (test/pg-interop-*.test.ts set
 * TEST_STORE=postgres before they import a suite). Then every sidecar those suites start
 * gets a fresh migrated database on one cluster per test process, found again by its data
 * file or config file when the test reads the store or runs a CLI command.
 */
import { migrate } from "../../sidecar/store/postgres/migrate.js";
import { openPostgresStore } from "../../sidecar/store/postgres/pg-store.js";
import type { Store } from "../../sidecar/store/store.js";
import { type PgCluster, startPgCluster } from "./pg-cluster.js";

let cluster: Promise<PgCluster> | undefined;
let databases = 0;
/** A data file's or config file's database. */
const databaseFor = new Map<string, string>();

/** True when this test process runs its sidecars on PostgreSQL. */
export function onPostgres(): boolean {
  return process.env.TEST_STORE === "postgres";
}

/**
 * On PostgreSQL, a new migrated database, remembered under each of `files` (a sidecar's data
 * file and config file); otherwise undefined (the sidecar keeps its JSON store).
 */
export async function testDatabase(...files: string[]): Promise<string | undefined> {
  if (!onPostgres()) return undefined;
  cluster ??= startPgCluster();
  const url = await (await cluster).createDatabase(`interop_${++databases}`);
  await migrate(url);
  for (const file of files) databaseFor.set(file, url);
  return url;
}

/** How many databases `testDatabase` made (a run on PostgreSQL checks it made some). */
export function databasesMade(): number {
  return databases;
}

/** The database `file` (a data file or config file) was given, if any. */
export function databaseOf(file: string): string | undefined {
  return databaseFor.get(file);
}

/** The store at the database `file` was given (to read it), if any. */
export function openTestDatabase(file: string): Promise<Store> | undefined {
  const url = databaseOf(file);
  return url ? openPostgresStore(url, { max: 2 }) : undefined;
}
