/**
 * Opens the Store a config names: the JSON files at `dataFile` (memory for ":memory:", in
 * tests), or PostgreSQL at FEDERATION_DATABASE_URL when `store.kind` is "postgres".
 */
import type { Config } from "../config.js";
import { type JsonStoreOptions, openJsonStore } from "./json/json-store.js";
import { openMemoryStore } from "./memory/memory-store.js";
import { openPostgresStore } from "./postgres/pg-store.js";
import { PostgresError } from "./postgres/pool.js";
import type { Store } from "./store.js";

/** The environment variable the PostgreSQL store's URL comes from (never the config file). */
export const DATABASE_URL_VARIABLE = "FEDERATION_DATABASE_URL";

export function openStore(dataFile: string, opts: JsonStoreOptions = {}): Promise<Store> {
  return dataFile === ":memory:" ? openMemoryStore() : openJsonStore(dataFile, opts);
}

/** The database URL from the environment; a PostgresError saying what to set when absent. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env[DATABASE_URL_VARIABLE];
  if (!url)
    throw new PostgresError(
      `eleventy-federation: the config says "store": {"kind": "postgres"}, but ${DATABASE_URL_VARIABLE} is not set: set it to postgres://user:password@host:5432/database.`,
    );
  return url;
}

export interface ConfiguredStoreOptions extends JsonStoreOptions {
  env?: NodeJS.ProcessEnv;
}

/**
 * The store of `config`: JSON (with `config.fsync` unless `opts` says otherwise) or
 * PostgreSQL (refused with a PostgresError when unreachable, unmigrated or newer).
 */
export async function openConfiguredStore(
  config: Pick<Config, "dataFile" | "fsync" | "store">,
  opts: ConfiguredStoreOptions = {},
): Promise<Store> {
  const { env, ...json } = opts;
  if (config.store.kind === "postgres")
    return openPostgresStore(databaseUrl(env), {
      max: config.store.pool.max,
      onBackgroundError: json.onBackgroundError,
    });
  return openStore(config.dataFile, { fsync: config.fsync, ...json });
}
