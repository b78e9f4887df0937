/**
 * Loopback ActivityPub inboxes for bench/ap-fanout.ts: one process listening on `--ports N`
 * ports, answering every POST with 202 at once, without verifying (the bench measures the
 * sender). After answering, every 101st POST has its signature and Digest checked with the
 * test suite's independent verifier against the public JWK in AP_BENCH_PUBLIC_JWK, so a
 * broken signing path shows up as `invalid` in /_stats. (Options come by environment:
 * bench/processes.ts starts scripts without arguments.)
 *   AP_BENCH_PORTS=5 node --import tsx bench/ap-fanout-receiver.ts
 *   → prints `listening <first port>`; GET /_ports on it lists all ports, GET /_stats counts.
 */
import { webcrypto } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyRequest } from "../test/helpers/verify-signature.js";
import { clamp } from "./cli.js";

const PORTS = clamp(process.env.AP_BENCH_PORTS ?? "1", 1, 64);
const SAMPLE_EVERY = 101;

const jwk = process.env.AP_BENCH_PUBLIC_JWK;
const publicKey = jwk
  ? await webcrypto.subtle.importKey(
      "jwk",
      JSON.parse(jwk) as webcrypto.JsonWebKey,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    )
  : undefined;

const stats = { requests: 0, signed: 0, bytes: 0, checked: 0, invalid: 0, lastError: "" };
const ports: number[] = [];

function check(req: IncomingMessage, body: Buffer): void {
  if (!publicKey) return;
  stats.checked++;
  verifyRequest(req, body, publicKey).catch((err: unknown) => {
    stats.invalid++;
    stats.lastError = (err as Error).message;
  });
}

function inbox(req: IncomingMessage, res: import("node:http").ServerResponse): void {
  if (req.method === "GET") {
    const out = req.url === "/_ports" ? ports : req.url === "/_stats" ? stats : undefined;
    res.writeHead(out ? 200 : 404, { "content-type": "application/json" });
    res.end(out ? JSON.stringify(out) : "");
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    stats.requests++;
    const body = Buffer.concat(chunks);
    stats.bytes += body.length;
    res.writeHead(202).end();
    if (req.headers.signature || req.headers["signature-input"]) {
      stats.signed++;
      if (stats.signed % SAMPLE_EVERY === 0) check(req, body);
    }
  });
}

const servers: Server[] = [];
for (let i = 0; i < PORTS; i++) {
  const server = createServer(inbox);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  ports.push((server.address() as AddressInfo).port);
  servers.push(server);
}
process.stdout.write(`listening ${ports[0]}\n`);
process.once("SIGTERM", () => {
  let open = servers.length;
  for (const s of servers) {
    s.closeAllConnections();
    s.close(() => {
      if (--open === 0) process.exit(0);
    });
  }
});
