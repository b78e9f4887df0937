/** `eleventy-federation serve`: runs the sidecar (OMB endpoints, hook, delivery), optionally the site too. */
import { stat } from "node:fs/promises";
import path from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { parsePasswordHash } from "../auth/password.js";
import {
  createLogger,
  LOG_FORMATS,
  type LogFormat,
  type Logger,
  resolveLogFormat,
} from "../log.js";
import { type RunningSidecar, startSidecar } from "../server.js";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, flushLog } from "../shutdown.js";
import { readyInfo, readyLine } from "./ready-line.js";
import { CliError, CONFIG_OPTION, configFrom } from "./run.js";

interface ServeOptions {
  config: string;
  site?: string;
  port?: number;
  host?: string;
  logFormat?: LogFormat | "auto";
  shutdownTimeout: number;
}

function seconds(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0 || n > 3600)
    throw new InvalidArgumentError("give seconds, 0–3600 (e.g. 10 or 0.5).");
  return n;
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
    .option(
      "--shutdown-timeout <seconds>",
      "on Ctrl-C or SIGTERM, wait this long for requests and deliveries in flight before closing their connections (a second signal exits at once)",
      seconds,
      DEFAULT_SHUTDOWN_TIMEOUT_MS / 1000,
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
      const running = await startSidecar(config, {
        siteDir,
        log,
        shutdownTimeoutMs: opts.shutdownTimeout * 1000,
      });
      const ready = readyInfo(config, running.url, siteDir !== undefined);
      // Said whatever the log level: it is how a person (or a script) knows where to go. JSON
      // lines carry its parts as fields too; a terminal gets the one line.
      const fields = format === "json" ? { ...ready, ...(siteDir ? { siteDir } : {}) } : {};
      log.child({}, { level: "info" }).info(fields, readyLine(ready, siteDir !== undefined));
      stopOnSignals(running, log, opts.shutdownTimeout);
    });
}

/**
 * A signal this soon after the first is the same request: `npm start` in a terminal gets
 * Ctrl-C's SIGINT twice (the terminal sends it to the process group, npm forwards its own).
 */
const SAME_SIGNAL_MS = 1000;

/**
 * The first SIGINT or SIGTERM shuts down cleanly (exit 0, 1 if that fails); another one
 * (after SAME_SIGNAL_MS) exits at once, with 130 (SIGINT) or 143 (SIGTERM), as a shell
 * reports an interrupted program.
 */
function stopOnSignals(running: RunningSidecar, logger: Logger, timeoutSeconds: number): void {
  // Said whatever the log level, as the ready line is: a person pressed Ctrl-C and waits.
  const log = logger.child({}, { level: "info" });
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < SAME_SIGNAL_MS) return;
      log.warn(
        { signal },
        `${signal} again: exiting now without waiting (what the store has written is kept; unconfirmed pushes are resent after the restart)`,
      );
      const code = 128 + (signal === "SIGINT" ? 2 : 15);
      void flushLog(log).then(() => process.exit(code));
      return;
    }
    firstAt = Date.now();
    log.info(
      { signal },
      `${signal}: shutting down, waiting at most ${timeoutSeconds} s for work in flight (--shutdown-timeout); ${signal === "SIGINT" ? "Ctrl-C" : "a second signal"} again exits at once`,
    );
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        void flushLog(log).then(() => process.exit(1));
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
