/**
 * `eleventy-federation store copy`: copies the JSON store into PostgreSQL (the upgrade path)
 * or back, into an empty store, and verifies the copy (docs/store-copy.md).
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type { Config } from "../config.js";
import { copyStore, StoreCopyError } from "../store/copy.js";
import { DUMP_TABLES, StoreNotEmptyError } from "../store/dump.js";
import { openJsonStore } from "../store/json/json-store.js";
import { StoreLockedError } from "../store/json/lock.js";
import { DATABASE_URL_VARIABLE, databaseUrl } from "../store/open.js";
import { openPostgresStore } from "../store/postgres/pg-store.js";
import { describeUrl } from "../store/postgres/pool.js";
import type { Store } from "../store/store.js";
import { CliError, CONFIG_OPTION, configFrom, printTable } from "./run.js";

const POSTGRES = "postgres";
const NAME = "eleventy-federation store copy";

interface Side {
  /** "--from" or "--to". */
  flag: string;
  /** What the user gave: a JSON data file, or "postgres". */
  spec: string;
}

/** What `spec` names, for messages: the file, or the database without its password. */
function describe(spec: string): string {
  if (spec !== POSTGRES) return path.resolve(spec);
  try {
    return `PostgreSQL at ${describeUrl(databaseUrl())}`;
  } catch {
    return "PostgreSQL";
  }
}

async function openPostgres(side: Side, config: Config): Promise<Store> {
  let url: string;
  try {
    url = databaseUrl();
  } catch {
    throw new CliError(
      `${NAME}: ${side.flag} postgres means the database at ${DATABASE_URL_VARIABLE}, which is not set: set it to postgres://user:password@host:5432/database.`,
    );
  }
  // Unreachable, unmigrated or newer: a PostgresError that says what to do (`migrate`).
  return openPostgresStore(url, { max: config.store.pool.max });
}

/** The source must exist; the target is created, and the import refuses it unless empty. */
async function openJson(side: Side, config: Config, source: boolean): Promise<Store> {
  if (source) {
    // A store not yet compacted is only its journal.
    const files = [side.spec, `${side.spec}.journal`];
    const found = await Promise.all(files.map((f) => stat(f).catch(() => undefined)));
    if (!found.some((f) => f?.isFile()))
      throw new CliError(
        `${NAME}: ${side.flag} ${side.spec}: no such JSON data file. Name the sidecar's "dataFile" (default federation-data/store.json).`,
      );
  }
  try {
    // With the lock, as the sidecar takes it: a store in use is refused.
    return await openJsonStore(side.spec, { fsync: config.fsync });
  } catch (e) {
    if (!(e instanceof StoreLockedError)) throw e;
    throw new CliError(
      `${e.message}\n${NAME}: stop the sidecar first: a copy of a store in use would miss what it writes meanwhile.`,
    );
  }
}

function open(side: Side, config: Config, source: boolean): Promise<Store> {
  return side.spec === POSTGRES ? openPostgres(side, config) : openJson(side, config, source);
}

/** What to do next: switch the config to the store the data is now in. */
function nextStep(to: string, configFile: string): string {
  const kind =
    to === POSTGRES ? `{"kind": "postgres"}` : `{"kind": "json"} and "dataFile": "${describe(to)}"`;
  return `Next: set "store": ${kind} in ${configFile}, then start the sidecar.`;
}

export function registerStoreCopy(program: Command): void {
  const store = program
    .command("store")
    .description("move the sidecar's store between the JSON files and PostgreSQL");
  store
    .command("copy")
    .description(
      "copy everything (followers, cursors, log, tokens, inbox, keys, live nonces) into an empty store and verify it; stop the sidecar first",
    )
    .requiredOption(
      "--from <store>",
      `a JSON data file, or "${POSTGRES}" (${DATABASE_URL_VARIABLE})`,
    )
    .requiredOption("--to <store>", `a new JSON data file, or "${POSTGRES}" (migrated, empty)`)
    .option(...CONFIG_OPTION)
    .action(async (opts: { config: string; from: string; to: string }) => {
      const config = await configFrom(opts);
      if (describe(opts.from) === describe(opts.to))
        throw new CliError(`${NAME}: --from and --to name the same store (${describe(opts.to)}).`);
      const from = await open({ flag: "--from", spec: opts.from }, config, true);
      try {
        const to = await open({ flag: "--to", spec: opts.to }, config, false);
        try {
          const counts = await copyStore(from, to, (step) =>
            process.stderr.write(`${NAME}: ${step}…\n`),
          ).catch((e: unknown) => {
            if (e instanceof StoreNotEmptyError)
              throw new CliError(
                `${NAME}: --to ${describe(opts.to)}: ${e.message} Nothing was written.`,
              );
            if (e instanceof StoreCopyError) throw new CliError(`${NAME}: ${e.message}`);
            throw e;
          });
          process.stdout.write(`Copied ${describe(opts.from)} to ${describe(opts.to)}:\n`);
          printTable(DUMP_TABLES.map((t) => [`  ${t}`, String(counts[t])]));
          process.stdout.write(`verified: the copy reads back the same as the source.\n`);
          process.stdout.write(`${nextStep(opts.to, opts.config)}\n`);
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    });
}
