/**
 * A scriptable remote OMB service on loopback for hostile-peer tests: each path answers as
 * the test says (normally, huge, a byte a second, never, with a reset…). Everything it
 * starts is bounded: slow writers stop after a fixed number of bytes, and close() ends every
 * connection and timer, so a test leaves nothing running.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { writeXrds } from "../../protocol/omb/xrds-write.js";

export type Route = (req: IncomingMessage, res: ServerResponse, peer: Peer) => void;

export interface Peer {
  host: string;
  port: number;
  url(path?: string): string;
  /** Requests received per path (query left out). */
  hits(path: string): number;
  /** TCP connections accepted so far, whatever came over them. */
  connections(): number;
  route(path: string, handler: Route): void;
  /** Runs `fn` every `ms` until it returns false or the peer closes. */
  every(ms: number, fn: () => boolean): void;
  close(): Promise<void>;
}

export async function startPeer(host = "127.0.0.1", port = 0): Promise<Peer> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  let connections = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler) handler(req, res, peer);
    else res.writeHead(404).end("no such page");
  });
  server.on("connection", (s) => {
    connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
  const peer: Peer = {
    host,
    port: bound,
    url: (path = "/") => origin + path,
    hits: (path) => hits.get(path) ?? 0,
    connections: () => connections,
    route: (path, handler) => routes.set(path, handler),
    every(ms, fn) {
      const timer = setInterval(() => {
        if (!fn()) {
          clearInterval(timer);
          timers.delete(timer);
        }
      }, ms);
      timers.add(timer);
    },
    close: () =>
      new Promise((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return peer;
}

// ── behaviours ───────────────────────────────────────────────────────────────────────────

/** Answers 200 with `body` and the given content type. */
export function answer(body: string, type = "text/html; charset=utf-8", status = 200): Route {
  return (_req, res) => res.writeHead(status, { "content-type": type }).end(body);
}

/** Sends `headers`, then `text` one byte per second (at most `text.length` bytes). */
export function aByteASecond(text: string, type = "text/html"): Route {
  return (_req, res, peer) => {
    res.writeHead(200, { "content-type": type });
    let i = 0;
    peer.every(1000, () => {
      if (i >= text.length || res.destroyed) return false;
      res.write(text[i++] ?? "");
      return true;
    });
  };
}

/** Streams `bytes` of filler as fast as the client reads, announcing the length or not. */
export function huge(bytes: number, opts: { announce: boolean; type?: string }): Route {
  return (_req, res) => {
    const headers: Record<string, string | number> = { "content-type": opts.type ?? "text/html" };
    if (opts.announce) headers["content-length"] = bytes;
    res.writeHead(200, headers);
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  };
}

/** Runs `route` after `ms` (slow headers: nothing is sent before). */
export function later(ms: number, route: Route): Route {
  return (req, res, peer) => {
    let waited = false;
    peer.every(ms, () => {
      if (!waited && !res.destroyed) route(req, res, peer);
      waited = true;
      return false;
    });
  };
}

/** A 200 status line, then `kib` KiB of header lines at once (past any client's limit). */
export function floodHeaders(kib: number): Route {
  return (req) => {
    const lines = Array.from({ length: kib }, (_, i) => `x-big-${i}: ${"z".repeat(1000)}\r\n`);
    req.socket.write(`HTTP/1.1 200 OK\r\n${lines.join("")}`);
  };
}

/** A 200 status line, then a 1 KB header line a second (at most 40), never the blank line. */
export const dribbleHeaders: Route = (req, _res, peer) => {
  const socket = req.socket;
  socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n");
  let n = 0;
  peer.every(1000, () => {
    if (socket.destroyed || n++ >= 40) return false;
    socket.write(`x-slow-${n}: ${"y".repeat(1000)}\r\n`);
    return true;
  });
};

/** Never answers; the connection stays open until the client gives up or the peer closes. */
export const hang: Route = () => {};

/** Destroys the connection without a byte of answer (ECONNRESET at the client). */
export const reset: Route = (req) => {
  req.socket.resetAndDestroy();
};

export function redirect(
  location: (peer: Peer, req: IncomingMessage) => string,
  status = 302,
): Route {
  return (req, res, peer) => res.writeHead(status, { location: location(peer, req) }).end();
}

// ── a working OMB service, to break one part at a time ───────────────────────────────────

export const REQUEST_TOKEN = { token: "rt-hostile", secret: "rts-hostile" };
export const ACCESS_TOKEN = { token: "at-hostile", secret: "ats-hostile" };

/**
 * Routes of a minimal, well-behaved OMB listener: /alice (profile page with the
 * X-XRDS-Location header), /xrds, /requesttoken, /accesstoken. Tests replace one of them.
 */
export function serveOmb(peer: Peer): void {
  peer.route("/alice", (_req, res) =>
    res
      .writeHead(200, { "content-type": "text/html", "x-xrds-location": peer.url("/xrds") })
      .end("<html><head><title>alice</title></head><body>alice</body></html>"),
  );
  peer.route("/xrds", answer(xrdsOf(peer), "application/xrds+xml"));
  peer.route("/requesttoken", answer(tokenBody(REQUEST_TOKEN), "text/plain"));
  peer.route("/accesstoken", answer(tokenBody(ACCESS_TOKEN), "text/plain"));
}

export function xrdsOf(peer: Peer, overrides: Partial<Record<string, string>> = {}): string {
  return writeXrds({
    localId: peer.url("/user/1"),
    request: peer.url("/requesttoken"),
    authorize: peer.url("/userauthorization"),
    access: peer.url("/accesstoken"),
    postNotice: peer.url("/postnotice"),
    updateProfile: peer.url("/updateprofile"),
    ...overrides,
  });
}

function tokenBody(t: { token: string; secret: string }): string {
  return `oauth_token=${t.token}&oauth_token_secret=${t.secret}`;
}
