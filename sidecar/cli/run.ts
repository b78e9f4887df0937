/** What every CLI command shares: errors without stacks, the config option, stores, tables. */
import type { Command } from "commander";
import { DeployHookError } from "../../contract/hook-client.js";
import { ManifestError } from "../../contract/manifest.js";
import { cleanRemoteText } from "../../contract/remote-text.js";
import { PasswordHashError } from "../auth/password.js";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { createLogger, type Logger } from "../log.js";
import { ListenError } from "../server.js";
import { StoreCorruptError } from "../store/json/engine.js";
import { StoreLockedError } from "../store/json/lock.js";
import { openConfiguredStore } from "../store/open.js";
import { PostgresError } from "../store/postgres/pool.js";
import type { Store } from "../store/store.js";
import { ManifestSourceError } from "../sync/manifest-source.js";
import { explainManifestError } from "./manifest-hint.js";
import { HookSecretMissingError } from "./sidecar-client.js";

/** Errors whose message already says what failed and what to do: printed without a stack. */
const USER_ERRORS = [
  ConfigError,
  StoreLockedError,
  StoreCorruptError,
  ListenError,
  PasswordHashError,
  ManifestSourceError,
  ManifestError,
  DeployHookError,
  HookSecretMissingError,
  PostgresError,
];

export class CliError extends Error {
  override name = "CliError";
}

/** The config the running command loaded, and from which file (for hints in its errors). */
let loaded: { config: Config; file: string } | undefined;

export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof ManifestSourceError && loaded) {
      process.stderr.write(`${explainManifestError(e.message, loaded.config, loaded.file)}\n`);
    } else if (e instanceof CliError || USER_ERRORS.some((c) => e instanceof c)) {
      process.stderr.write(`${(e as Error).message}\n`);
    } else {
      process.stderr.write(
        `eleventy-federation: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`,
      );
    }
    process.exitCode = 1;
  }
}

/** The `--config` option every command shares. */
export const CONFIG_OPTION = [
  "-c, --config <file>",
  "sidecar config file (JSON)",
  "eleventy-federation.json",
] as const;

export async function configFrom(opts: { config: string }): Promise<Config> {
  const config = await loadConfig(opts.config);
  loaded = { config, file: opts.config };
  return config;
}

/**
 * Opens the store for a command. Listings read it without the lock, so they work while the
 * sidecar runs; changes need the lock.
 */
export function openStore(config: Config, mode: "read" | "write"): Promise<Store> {
  return openConfiguredStore(config, { readOnly: mode === "read" });
}

/**
 * A command's logger: quieter than the sidecar's by default, its output is for a person.
 * A failed sync is the command's own error, printed once by `runCli`: not logged as well.
 */
export function commandLogger(config: Config): Logger {
  const level = config.logLevel === "info" ? "warn" : config.logLevel;
  return createLogger(level, 2, undefined, ["sync failed"]);
}

/**
 * Prints a list of records: as JSON of what `show.json` keeps of each (never a secret), as
 * `show.empty` when there are none, else as a table.
 */
export function printRecords<T>(
  records: T[],
  json: boolean | undefined,
  show: { json: (r: T) => unknown; empty: string; header: string[]; row: (r: T) => string[] },
): void {
  if (json) process.stdout.write(`${JSON.stringify(records.map(show.json), null, 2)}\n`);
  else if (records.length === 0) process.stdout.write(`${show.empty}\n`);
  else printTable([show.header, ...records.map(show.row)]);
}

/** Prints rows as aligned columns. */
export function printTable(cells: string[][], out: NodeJS.WritableStream = process.stdout): void {
  // Cells quote remote answers: no escape sequence or bidi control reaches the terminal,
  // and a line break would break the columns.
  const rows = cells.map((row) => row.map((c) => cleanRemoteText(c).replace(/[\t\n]/g, " ")));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  for (const row of rows) {
    out.write(
      `${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}\n`,
    );
  }
}
