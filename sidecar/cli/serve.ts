/** `eleventy-federation serve`: runs the sidecar (OMB endpoints, hook, delivery), optionally the site too. */
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { parsePasswordHash } from "../auth/password.js";
import { startSidecar } from "../server.js";
import { CliError, CONFIG_OPTION, configFrom } from "./run.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the sidecar: OMB endpoints, deploy hook, delivery worker")
    .option(...CONFIG_OPTION)
    .option("--site <dir>", "also serve this built site from the same process (local use, demos)")
    .action(async (opts: { config: string; site?: string }) => {
      const config = await configFrom(opts);
      if (config.secrets.ownerPasswordHash) parsePasswordHash(config.secrets.ownerPasswordHash);
      let siteDir: string | undefined;
      if (opts.site) {
        siteDir = path.resolve(opts.site);
        const s = await stat(siteDir).catch(() => null);
        if (!s?.isDirectory()) {
          throw new CliError(
            `eleventy-federation: --site ${opts.site} is not a directory. Build the site first.`,
          );
        }
      }
      const running = await startSidecar(config, { siteDir });
      process.stderr.write(
        `eleventy-federation: sidecar for ${config.siteUrl} listening on ${running.url}${siteDir ? ` (serving ${siteDir})` : ""}\n`,
      );
      const stop = () => {
        void running.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
