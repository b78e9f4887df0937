import { pino } from "pino";

export type Logger = pino.Logger;

/**
 * Paths never written to the log: secrets, tokens, passwords, cookies, signatures. The
 * reliability tests grep the log output for the secrets they configured.
 */
export const REDACT_PATHS = [
  "secrets",
  "*.secrets",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "tokenSecret",
  "*.tokenSecret",
  "password",
  "*.password",
  "ownerPasswordHash",
  "*.ownerPasswordHash",
  "hookSecret",
  "*.hookSecret",
  "oauth_token",
  "oauth_token_secret",
  "oauth_signature",
  "*.oauth_token",
  "*.oauth_token_secret",
  "*.oauth_signature",
  // a subscribe flow in progress (PendingSubscription)
  "requestToken",
  "requestSecret",
  "*.requestToken",
  "*.requestSecret",
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  "res.headers['set-cookie']",
];

/** JSON lines on stderr (stdout stays free for CLI output). */
export function createLogger(
  level: string = "info",
  destination: pino.DestinationStream | number = 2,
): Logger {
  const stream =
    typeof destination === "number"
      ? pino.destination({ fd: destination, sync: false })
      : destination;
  return pino(
    {
      level,
      base: { name: "eleventy-federation" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    stream,
  );
}
