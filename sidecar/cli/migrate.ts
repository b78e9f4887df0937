/** `eleventy-federation migrate`: applies the PostgreSQL store's pending schema migrations. */
import type { Command } from "commander";
import { databaseUrl } from "../store/open.js";
import { migrate } from "../store/postgres/migrate.js";
import { describeUrl } from "../store/postgres/pool.js";
import { CliError, CONFIG_OPTION, configFrom } from "./run.js";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description(
      "bring the PostgreSQL store's schema (at FEDERATION_DATABASE_URL) to this version; safe to run twice, or from two places at once",
    )
    .option(...CONFIG_OPTION)
    .action(async (opts: { config: string }) => {
      const config = await configFrom(opts);
      if (config.store.kind !== "postgres")
        throw new CliError(
          `eleventy-federation migrate: nothing to migrate: ${opts.config} uses the JSON store. For PostgreSQL set "store": {"kind": "postgres"} there and FEDERATION_DATABASE_URL in the environment.`,
        );
      const url = databaseUrl();
      const { from, to, applied } = await migrate(url);
      const where = `PostgreSQL at ${describeUrl(url)}`;
      if (applied.length === 0) {
        process.stdout.write(`${where}: schema already at version ${to}, nothing to do.\n`);
        return;
      }
      const steps = applied.map((m) => `  ${m.version}: ${m.description}`).join("\n");
      process.stdout.write(`${where}: schema migrated from version ${from} to ${to}:\n${steps}\n`);
    });
}
