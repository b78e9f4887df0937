/** The sidecar's pino logger: JSON lines or readable lines on stderr, secrets redacted at any depth. */
import { pino } from "pino";
import pretty from "pino-pretty";

export type Logger = pino.Logger;

/** `json`: one JSON object a line (for machines, files, log collectors); `pretty`: for a person. */
export const LOG_FORMATS = ["pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The format asked for, or when none is (`auto`/undefined): readable lines when the logs go
 * to a terminal, JSON otherwise (a pipe, a file, a service manager's journal).
 */
export function resolveLogFormat(
  asked: string | undefined,
  isTTY: boolean | undefined = process.stderr.isTTY,
): LogFormat {
  if (asked === "pretty" || asked === "json") return asked;
  if (asked !== undefined && asked !== "auto") {
    throw new Error(`log format must be pretty, json or auto, got "${asked}"`);
  }
  return isTTY ? "pretty" : "json";
}

/**
 * pino-pretty as a synchronous stream on the file descriptor (no worker thread): a line is
 * written when it is logged, so nothing waits in a buffer when the process ends.
 */
function prettyStream(fd: number): pino.DestinationStream {
  return pretty({
    sync: true,
    destination: fd,
    colorize: fd === 2 ? Boolean(process.stderr.isTTY) && !process.env.NO_COLOR : false,
    translateTime: "SYS:HH:MM:ss",
    ignore: "pid,hostname,name",
  });
}

/** Keys of secrets, tokens, passwords and signatures. */
const SECRET_FIELDS = [
  "secrets",
  "secret",
  "token",
  "tokenSecret",
  "password",
  "ownerPasswordHash",
  "hookSecret",
  "oauth_token",
  "oauth_token_secret",
  "oauth_signature",
  // a subscribe flow in progress (PendingSubscription)
  "requestToken",
  "requestSecret",
];

/**
 * Paths never written to the log: the keys above at the top level and one level down, and
 * credentials in HTTP headers. The reliability tests grep the log output for the secrets
 * they configured.
 */
export const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((k) => [k, `*.${k}`]),
  ...["req.headers", "headers", "*.headers"].flatMap((h) => [`${h}.authorization`, `${h}.cookie`]),
  "res.headers['set-cookie']",
];

/**
 * Key names whose values are never logged, at ANY depth: pino's redaction paths above reach
 * only the top level and one level down, so a secret nested deeper (an error's request
 * options, a record inside a record) would slip through. Checked by `censorDeep` on every
 * object logged; values of these keys become "[redacted]".
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  ...SECRET_FIELDS,
  "authorization",
  "cookie",
  "set-cookie",
]);

const CENSOR = "[redacted]";
/** Objects nested deeper than this are not walked but replaced (and cycles end here). */
const MAX_DEPTH = 8;

/**
 * `value` with every SECRET_KEYS value replaced, copying only the objects on the way to a
 * secret (the rest is returned as is: a log line without secrets allocates nothing). Plain
 * objects and arrays are walked; class instances (errors, buffers, dates) are left to
 * pino's serializers.
 */
export function censorDeep(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) return "[too deep to log]";
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const next = censorDeep(v, depth + 1);
      if (next !== v) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const v = record[key];
    const next = SECRET_KEYS.has(key) ? CENSOR : censorDeep(v, depth + 1);
    if (next !== v) {
      copy ??= { ...record };
      copy[key] = next;
    }
  }
  return copy ?? value;
}

const censorRecord = (o: Record<string, unknown>) => censorDeep(o) as Record<string, unknown>;

/**
 * Logs to stderr by default (stdout stays free for CLI output): JSON lines, or readable ones
 * when `format` says so or, left out, when stderr is a terminal (`resolveLogFormat`). A
 * stream given as `destination` always gets JSON.
 */
export function createLogger(
  level: string = "info",
  destination: pino.DestinationStream | number = 2,
  format?: LogFormat,
  /** Messages not logged: what a CLI command reports itself (once, as its error). */
  omit: readonly string[] = [],
): Logger {
  const stream =
    typeof destination !== "number"
      ? destination
      : (format ??
            resolveLogFormat(undefined, destination === 2 ? process.stderr.isTTY : false)) ===
          "pretty"
        ? prettyStream(destination)
        : pino.destination({ fd: destination, sync: false });
  const logger = pino(
    {
      level,
      base: { name: "eleventy-federation" },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      // deeper than the redaction paths reach (see SECRET_KEYS)
      formatters: { log: censorRecord },
      ...(omit.length === 0
        ? {}
        : {
            hooks: {
              logMethod(args, method) {
                const msg = typeof args[0] === "string" ? args[0] : args[1];
                if (typeof msg === "string" && omit.includes(msg)) return;
                method.apply(this, args);
              },
            },
          }),
    },
    stream,
  );
  // pino gives child bindings no formatter: censor them on the way in (children inherit this).
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, censorRecord(bindings), options);
  } as typeof logger.child;
  return logger;
}
