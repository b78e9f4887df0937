import type { Command } from "commander";
import { PasswordHashError } from "../auth/password.js";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { ListenError } from "../server.js";
import { StoreCorruptError } from "../store/engine.js";
import { StoreLockedError } from "../store/lock.js";
import { Store } from "../store/store.js";

/** Errors whose message already says what failed and what to do: printed without a stack. */
const USER_ERRORS = [
  ConfigError,
  StoreLockedError,
  StoreCorruptError,
  ListenError,
  PasswordHashError,
];

export class CliError extends Error {
  override name = "CliError";
}

export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CliError || USER_ERRORS.some((c) => e instanceof c)) {
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

export function configFrom(opts: { config: string }): Promise<Config> {
  return loadConfig(opts.config);
}

/**
 * Opens the store for a command. Listings read it without the lock, so they work while the
 * sidecar runs; changes need the lock.
 */
export function openStore(config: Config, mode: "read" | "write"): Promise<Store> {
  return Store.open(config.dataFile, { fsync: config.fsync, readOnly: mode === "read" });
}

/** Prints rows as aligned columns. */
export function printTable(rows: string[][], out: NodeJS.WritableStream = process.stdout): void {
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
