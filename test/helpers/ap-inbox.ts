/**
 * Loopback ActivityPub inboxes for delivery tests: `/inbox/<n>` verifies every POST with the
 * independent verifier (verify-signature.ts) against the actor's public key, records it, and
 * answers what the test sets per inbox (202 by default; a status, a Retry-After, or 401 for
 * a scheme it will not take, as a cavage-only or an RFC 9421-only receiver does).
 */
import type { webcrypto } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Verified, verifyRequest } from "./verify-signature.js";

export interface Received {
  inbox: number;
  activity: Record<string, unknown>;
  signature: Verified;
  at: number;
}

export interface InboxBehaviour {
  status?: number;
  retryAfter?: string;
  body?: string;
  /** Answer 401 to signatures of the other scheme. */
  only?: Verified["scheme"];
}

export interface ApInboxes {
  url(n: number): string;
  received: Received[];
  /** Requests refused by the verifier, with why. */
  unverified: { inbox: number; error: string }[];
  behave(n: number, b: InboxBehaviour): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startApInboxes(
  publicKey: () => Promise<webcrypto.CryptoKey>,
): Promise<ApInboxes> {
  const received: Received[] = [];
  const unverified: ApInboxes["unverified"] = [];
  const behaviours = new Map<number, InboxBehaviour>();
  const server: Server = createServer(async (req, res) => {
    const n = Number(/^\/inbox\/(\d+)$/.exec(req.url ?? "")?.[1] ?? Number.NaN);
    const body = await readBody(req);
    if (req.method !== "POST" || !Number.isInteger(n)) {
      res.writeHead(404).end();
      return;
    }
    let signature: Verified;
    try {
      signature = await verifyRequest(req, body, await publicKey());
    } catch (err) {
      unverified.push({ inbox: n, error: (err as Error).message });
      res.writeHead(401).end("signature not verified");
      return;
    }
    const b = behaviours.get(n) ?? {};
    if (b.only && b.only !== signature.scheme) {
      res.writeHead(401).end(`only ${b.only} signatures are taken here`);
      return;
    }
    const status = b.status ?? 202;
    if (status < 300) {
      received.push({
        inbox: n,
        activity: JSON.parse(body.toString("utf8")),
        signature,
        at: Date.now(),
      });
    }
    res.writeHead(status, b.retryAfter ? { "retry-after": b.retryAfter } : {}).end(b.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (n) => `${base}/inbox/${n}`,
    received,
    unverified,
    behave: (n, b) => behaviours.set(n, b),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
