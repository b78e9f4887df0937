/** Fedify logs through LogTape: its warnings and errors go to our pino logger, the rest nowhere. */

import { AsyncLocalStorage } from "node:async_hooks";
import { configureSync, getConfig, type LogLevel, type LogRecord } from "@logtape/logtape";
import type { Logger } from "../log.js";

const PINO_LEVEL: Record<LogLevel, "trace" | "debug" | "info" | "warn" | "error" | "fatal"> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  warning: "warn",
  error: "error",
  fatal: "fatal",
};

/**
 * Fedify's errors about what a remote party sent (a bad signature, an unparsable activity, a
 * WebFinger query for nobody, a fetched document that is not what it claims: `fedify.vocab`
 * "Failed to parse <url>") are refusals, not our failures: logged as warnings.
 */
const REMOTE_INPUT = [
  "fedify.federation.inbox",
  "fedify.sig.",
  "fedify.webfinger.",
  "fedify.vocab",
];

/** LogTape is configured once per process; a later sidecar in it (tests) takes the logs over. */
let target: Logger | undefined;
let configured = false;

/** The record's message with its values filled in, as LogTape's own text formatter renders it. */
export function renderMessage(record: Pick<LogRecord, "message">): string {
  return record.message.map((part, i) => (i % 2 === 0 ? String(part) : renderValue(part))).join("");
}

function renderValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.message;
  if (value instanceof URL) return value.href;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function sink(record: LogRecord): void {
  const log = target;
  if (!log) return;
  const category = record.category.join(".");
  // An inbox POST Fedify could not read is answered 400 by the adapter: the sender's mistake.
  const remote =
    REMOTE_INPUT.some((c) => category === c || category.startsWith(c)) ||
    /while serving request POST \S*\/inbox\b/.test(renderMessage(record));
  const level = record.level === "error" && remote ? "warn" : PINO_LEVEL[record.level];
  const err = Object.values(record.properties).find((v) => v instanceof Error);
  // Properties stay out: they may hold whole remote documents; the message names what matters.
  log[level]({ fedify: category, ...(err ? { err } : {}) }, renderMessage(record));
}

/** Sends Fedify's warnings and errors to `log` (LogTape's `warning` and above). */
export function bridgeFedifyLogs(log: Logger): void {
  target = log;
  if (configured) return;
  if (getConfig() !== null) {
    log.warn("LogTape is already configured elsewhere; Fedify's messages follow that setup");
    configured = true;
    return;
  }
  configureSync({
    sinks: { pino: sink },
    // Fedify logs with context (withContext): without a store LogTape warns at each request.
    contextLocalStorage: new AsyncLocalStorage(),
    loggers: [
      { category: ["fedify"], sinks: ["pino"], lowestLevel: "warning" },
      { category: ["logtape", "meta"], sinks: ["pino"], lowestLevel: "warning" },
    ],
  });
  configured = true;
}
