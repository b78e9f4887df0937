/** `eleventy-federation serve`: runs the sidecar (OMB endpoints, hook, delivery), optionally the site too. */
import { stat } from "node:fs/promises";
import path from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { parsePasswordHash } from "../auth/password.js";
import { createLogger, LOG_FORMATS, type LogFormat, resolveLogFormat } from "../log.js";
import { startSidecar } from "../server.js";
import { readyInfo, readyLine } from "./ready-line.js";
import { CliError, CONFIG_OPTION, configFrom } from "./run.js";

interface ServeOptions {
  config: string;
  site?: string;
  port?: number;
  host?: string;
  logFormat?: LogFormat | "auto";
}

function portNumber(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new InvalidArgumentError("a port is 0–65535.");
  return n;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the sidecar: OMB endpoints, deploy hook, delivery worker")
    .option(...CONFIG_OPTION)
    .option("--site <dir>", "also serve this built site from the same process (local use, demos)")
    .option("-p, --port <n>", 'listen on this port instead of the config\'s "port"', portNumber)
    .option("--host <address>", 'listen on this interface instead of the config\'s "host"')
    .addOption(
      new Option(
        "--log-format <format>",
        "pretty: readable lines; json: one JSON object a line; auto: pretty on a terminal",
      )
        .choices([...LOG_FORMATS, "auto"])
        .default("auto"),
    )
    .action(async (opts: ServeOptions) => {
      const loaded = await configFrom(opts);
      // The command line wins over the file: the config is built with its values.
      const config = {
        ...loaded,
        ...(opts.port === undefined ? {} : { port: opts.port }),
        ...(opts.host === undefined ? {} : { host: opts.host }),
      };
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
      const format = resolveLogFormat(opts.logFormat);
      const log = createLogger(config.logLevel, 2, format);
      const running = await startSidecar(config, { siteDir, log });
      const ready = readyInfo(config, running.url, siteDir !== undefined);
      // Said whatever the log level: it is how a person (or a script) knows where to go. JSON
      // lines carry its parts as fields too; a terminal gets the one line.
      const fields = format === "json" ? { ...ready, ...(siteDir ? { siteDir } : {}) } : {};
      log.child({}, { level: "info" }).info(fields, readyLine(ready, siteDir !== undefined));
      const stop = () => {
        void running.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
