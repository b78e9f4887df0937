/** The sidecar's pino logger: JSON lines on stderr, secrets redacted at any depth. */
import { pino } from "pino";

export type Logger = pino.Logger;

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

/** JSON lines on stderr (stdout stays free for CLI output). */
export function createLogger(
  level: string = "info",
  destination: pino.DestinationStream | number = 2,
): Logger {
  const stream =
    typeof destination === "number"
      ? pino.destination({ fd: destination, sync: false })
      : destination;
  const logger = pino(
    {
      level,
      base: { name: "eleventy-federation" },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      // deeper than the redaction paths reach (see SECRET_KEYS)
      formatters: { log: censorRecord },
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
