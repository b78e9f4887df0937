/** The sidecar's HTTP server with connection caps (in total and per client address) and short timeouts. */
import http from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../log.js";

export interface ConnectionLimits {
  /** Open connections in total; Node closes any further one at once. */
  maxConnections: number;
  /** Open connections from one client address (an IPv6 /64 counts as one); 0: no cap. */
  connectionsPerAddress: number;
  /** A request's headers must have arrived this long after it started (408 and closed otherwise). */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must have arrived within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

export interface LimitedServerOptions {
  /** Addresses of trusted reverse proxies: all clients arrive through them, so they are not capped. */
  isTrustedProxy?: (address: string) => boolean;
  log?: Logger;
}

/** At most one warning this often about refused connections (a flood must not flood the log). */
const WARN_EVERY_MS = 60_000;

/**
 * An HTTP server for `listener` that a crowd of slow clients cannot exhaust: headers must
 * arrive within `headersTimeoutMs` (Node checks every `connectionsCheckingInterval`, 30 s by
 * default, so it is set to a quarter of that timeout, 100 ms to 1 s), connections are capped
 * in total and per client address, so many slow connections from one address leave room
 * for everybody else. Not yet listening.
 */
export function createLimitedServer(
  listener: http.RequestListener,
  limits: ConnectionLimits,
  opts: LimitedServerOptions = {},
): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)),
      ),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  let lastWarning = Number.NEGATIVE_INFINITY;
  let refused = 0;
  const refuse = (why: string, remoteAddress: string | undefined) => {
    refused++;
    const now = Date.now();
    if (now - lastWarning < WARN_EVERY_MS) return;
    lastWarning = now;
    opts.log?.warn(
      { remoteAddress, refused, limits: { ...limits } },
      `connection refused: ${why} (counted since the last such warning; see "limits" in the config)`,
    );
    refused = 0;
  };
  server.on("drop", (data?: { remoteAddress?: string }) =>
    refuse("limits.maxConnections reached", data?.remoteAddress),
  );
  const cap = limits.connectionsPerAddress;
  if (cap > 0) {
    const open = new Map<string, number>();
    server.on("connection", (socket: Socket) => {
      const address = socket.remoteAddress;
      if (!address || opts.isTrustedProxy?.(address)) return;
      const key = addressKey(address);
      const n = open.get(key) ?? 0;
      if (n >= cap) {
        socket.destroy();
        refuse("limits.connectionsPerAddress reached", address);
        return;
      }
      open.set(key, n + 1);
      socket.once("close", () => {
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      });
    });
  }
  return server;
}

/**
 * What one client address counts as: an IPv4 address (also IPv4-mapped IPv6) as itself, an
 * IPv6 address as its /64, the smallest block a single subscriber is usually given.
 */
export function addressKey(address: string): string {
  const bare = address.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1]) return mapped[1];
  if (!bare.includes(":")) return bare;
  const [head = "", tail = ""] = bare.split("::");
  const first = head ? head.split(":") : [];
  const last = bare.includes("::") && tail ? tail.split(":") : [];
  const zeros = Array<string>(Math.max(0, 8 - first.length - last.length)).fill("0");
  const groups = [...first, ...zeros, ...last].slice(0, 4);
  return `${groups.map((g) => Number.parseInt(g, 16).toString(16)).join(":")}::/64`;
}
