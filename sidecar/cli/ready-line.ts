/** The line `serve` prints once it listens: what to open, the status page, how to log in. */
import { HASH_PASSWORD_COMMANDS } from "../auth/password.js";
import type { Config } from "../config.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "[::1]", "localhost", "0.0.0.0", "::", "[::]"]);

function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * `listening` (e.g. http://127.0.0.1:8080/) as a visitor on this machine opens it:
 * `http://localhost:8080/` when it is a loopback or every-interface address.
 */
export function visitorUrl(listening: string): string {
  const u = new URL(listening);
  if (LOOPBACK.has(u.hostname)) u.hostname = "localhost";
  return u.toString();
}

export interface ReadyInfo {
  /** What to open in a browser: the site when served here, else the site's own URL. */
  open: string;
  /** The owner's status page. */
  statusPage: string;
  /** How to log in there. */
  login: string;
  /** The address actually listened on. */
  listening: string;
}

/** What the ready line says, from the config and the address the sidecar listens on. */
export function readyInfo(
  config: Pick<Config, "siteUrl" | "publicUrl" | "secrets">,
  listening: string,
  servesSite: boolean,
): ReadyInfo {
  const local = visitorUrl(listening);
  // A local setup (publicUrl on loopback): the page is here. Else where the public reaches it.
  const base = isLoopbackUrl(config.publicUrl) ? local : config.publicUrl;
  return {
    open: servesSite ? local : config.siteUrl,
    statusPage: `${base}admin`,
    login: config.secrets.ownerPasswordHash
      ? "log in with the owner password (FEDERATION_OWNER_PASSWORD_HASH is set)"
      : `owner login not set up: run \`${HASH_PASSWORD_COMMANDS.checkout}\` (in a checkout; \`${HASH_PASSWORD_COMMANDS.installed}\` where the package is installed), put the hash in FEDERATION_OWNER_PASSWORD_HASH and restart`,
    listening,
  };
}

/** One line; "listening on <url>" ends it (scripts and tests wait for it). */
export function readyLine(r: ReadyInfo, servesSite: boolean): string {
  const what = servesSite ? `open ${r.open}` : `sidecar for ${r.open}`;
  return `ready: ${what} · status page ${r.statusPage}, ${r.login} · listening on ${r.listening}`;
}
