/**
 * Applies the schema's pending migrations (`eleventy-federation migrate`), and checks at
 * open that the database is at exactly the version this build needs.
 */
import type pg from "pg";
import { checkConnection, openPool, PostgresError } from "./pool.js";
import { LATEST_VERSION, MIGRATIONS, type Migration, VERSION_TABLE_SQL } from "./schema.js";
import { type Db, inTransaction } from "./transaction.js";

/** The advisory lock every migration run holds: a second `migrate` waits, then finds nothing to do. */
const MIGRATION_LOCK = 4_917_301_355;

export interface MigrationResult {
  from: number;
  to: number;
  applied: Migration[];
}

/** The schema is older or newer than this build: the message says which command fixes it. */
export class SchemaVersionError extends PostgresError {
  override name = "SchemaVersionError";
}

async function currentVersion(db: Db): Promise<number> {
  const { rows } = await db.query<{ v: number | null }>(
    "SELECT max(version) AS v FROM schema_version",
  );
  return rows[0]?.v ?? 0;
}

function newerError(version: number, latest: number): SchemaVersionError {
  return new SchemaVersionError(
    `eleventy-federation: the database schema is at version ${version}, newer than this eleventy-federation knows (${latest}): a newer release migrated it. Upgrade eleventy-federation.`,
  );
}

/** Applies the pending steps of `steps` on an open pool, in one transaction under the lock. */
export function migratePool(
  pool: pg.Pool,
  steps: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  return inTransaction(pool, async (db) => {
    await db.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await db.query(VERSION_TABLE_SQL);
    const from = await currentVersion(db);
    const latest = steps.at(-1)?.version ?? 0;
    if (from > latest) throw newerError(from, latest);
    const applied = steps.filter((m) => m.version > from);
    for (const m of applied) {
      await db.query(m.sql);
      await db.query("INSERT INTO schema_version (version, description) VALUES ($1, $2)", [
        m.version,
        m.description,
      ]);
    }
    return { from, to: Math.max(from, latest), applied };
  });
}

/** Connects to `url`, applies what is pending, disconnects. */
export async function migrate(url: string): Promise<MigrationResult> {
  const pool = openPool(url, { max: 1 });
  try {
    await checkConnection(pool, url);
    return await migratePool(pool);
  } finally {
    await pool.end();
  }
}

/** Refuses a database this build cannot use: unmigrated, behind, or ahead of it. */
export async function checkSchema(pool: pg.Pool, latest = LATEST_VERSION): Promise<void> {
  let version: number;
  try {
    version = await currentVersion(pool);
  } catch (e) {
    if ((e as { code?: string }).code !== "42P01") throw e; // 42P01: no such table
    version = 0;
  }
  if (version > latest) throw newerError(version, latest);
  if (version < latest) {
    const state =
      version === 0 ? "has no eleventy-federation tables yet" : `is at schema version ${version}`;
    throw new SchemaVersionError(
      `eleventy-federation: the database ${state}; this eleventy-federation needs version ${latest}. Run \`eleventy-federation migrate\` (with the same FEDERATION_DATABASE_URL), then start again.`,
    );
  }
}
