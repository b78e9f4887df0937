/**
 * A tiny remote fediverse account on loopback: an actor document with an RSA key, an inbox
 * that records what arrives and checks its signature with Fedify's verifier, and a way to
 * send it signed (or badly signed) activities with Fedify's signRequest.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type HttpMessageSignaturesSpec, signRequest, verifyRequest } from "@fedify/fedify";
import { exportSpki, getDocumentLoader } from "@fedify/vocab-runtime";

export interface Received {
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** The keyId whose signature Fedify's verifier accepted, or null. */
  verifiedKey: string | null;
}

export interface TestActor {
  id: string;
  inbox: string;
  received: Received[];
  /** POSTs `activity` to `inbox`, signed with this actor's key unless told otherwise. */
  send(
    inbox: string,
    activity: Record<string, unknown>,
    opts?: { sign?: "cavage" | "rfc9421" | "none" | "wrong-key"; tamper?: boolean },
  ): Promise<Response>;
  /** GETs `url` as AS2 JSON, signed (draft-cavage) with this actor's key. */
  signedGet(url: string): Promise<Response>;
  /** Answer the key's URL with this status from now on (410: the account is gone). */
  goneWith(status: number | null): void;
  /** Answer the inbox with this status from now on (null: verify and answer 202/401). */
  inboxAnswers(status: number | null): void;
  close(): Promise<void>;
}

import { generateRsaKeyPair } from "../../sidecar/activitypub/actor-key.js";

const AS = "https://www.w3.org/ns/activitystreams";

const rsaPair = generateRsaKeyPair;

export async function startTestActor(name = "bob"): Promise<TestActor> {
  const keys = await rsaPair();
  const stranger = await rsaPair();
  const pem = await exportSpki(keys.publicKey as never);
  const received: Received[] = [];
  let goneStatus: number | null = null;
  let inboxStatus: number | null = null;
  // Loopback is where the sidecar under test lives: this verifier may fetch from it.
  const loader = getDocumentLoader({ allowPrivateAddress: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      if (req.method === "GET" && req.url === "/actor") {
        if (goneStatus !== null) return res.writeHead(goneStatus).end();
        res.writeHead(200, { "content-type": "application/activity+json" });
        return res.end(JSON.stringify(actorDoc()));
      }
      if (req.method === "POST" && req.url === "/inbox") {
        if (inboxStatus !== null) return res.writeHead(inboxStatus).end();
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, String(v)]),
        );
        const request = new Request(`${base}/inbox`, { method: "POST", headers, body });
        const key = await verifyRequest(request, { documentLoader: loader }).catch(() => null);
        received.push({
          body: JSON.parse(body.toString("utf8")),
          headers,
          verifiedKey: key?.id?.href ?? null,
        });
        return res.writeHead(key ? 202 : 401).end();
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const id = `${base}/actor`;
  const actorDoc = () => ({
    "@context": [AS, "https://w3id.org/security/v1"],
    id,
    type: "Person",
    preferredUsername: name,
    name: `${name} Remote`,
    url: `${base}/@${name}`,
    inbox: `${base}/inbox`,
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: pem },
  });
  return {
    id,
    inbox: `${base}/inbox`,
    received,
    goneWith(status) {
      goneStatus = status;
    },
    inboxAnswers(status) {
      inboxStatus = status;
    },
    async signedGet(url) {
      const request = await signRequest(
        new Request(url, { headers: { accept: "application/activity+json" } }),
        keys.privateKey as never,
        new URL(`${id}#main-key`),
      );
      return fetch(url, { headers: request.headers });
    },
    async send(inbox, activity, opts = {}) {
      const sign = opts.sign ?? "cavage";
      const text = JSON.stringify({ "@context": AS, ...activity });
      let request = new Request(inbox, {
        method: "POST",
        headers: { "content-type": "application/activity+json" },
        body: text,
      });
      if (sign !== "none") {
        const spec: HttpMessageSignaturesSpec =
          sign === "rfc9421" ? "rfc9421" : "draft-cavage-http-signatures-12";
        const privateKey = (sign === "wrong-key" ? stranger : keys).privateKey;
        request = await signRequest(request, privateKey as never, new URL(`${id}#main-key`), {
          spec,
        });
      }
      const body = opts.tamper ? text.replace(/}$/, ',"tampered":true}') : text;
      return fetch(inbox, { method: "POST", headers: request.headers, body });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
