/**
 * A loopback fediverse server with several accounts for the inbox content fuzzer: each
 * account its own RSA key (served in its actor document, `/users/<name>`), objects served
 * where the test puts them (notes, and answers that are not notes: 404, HTML, broken JSON),
 * and a signer that signs a body as one of the accounts. Several accounts on one origin make
 * the case Fedify trusts most: an embedded object on the sender's own origin is taken as is.
 * `hostname` names the server in every URL it makes (e.g. `localhost`, a domain a test blocks);
 * it listens on 127.0.0.1 either way. `profiles` lays fields over an account's actor document.
 */
import type { webcrypto } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import { exportSpki } from "@fedify/vocab-runtime";
import type { FuzzRequest } from "./sender.js";

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const AS = "https://www.w3.org/ns/activitystreams";
const SEC = "https://w3id.org/security/v1";

export type SignatureSpec = "draft-cavage-http-signatures-12" | "rfc9421";

/** What a served path answers: a JSON document, or a status with a body of some type. */
export type Served = { json: unknown } | { status: number; type: string; body: string };

export interface Accounts {
  origin: string;
  /** The actor id of account `name`. */
  id(name: string): string;
  /** Serves `what` at `path` (starting with "/") from now on. */
  host(path: string, what: Served): void;
  /** POST `activity` to `url` (sent at the sidecar's `path`), signed as account `name`. */
  sign(
    name: string,
    url: string,
    path: string,
    activity: unknown,
    spec: SignatureSpec,
  ): Promise<FuzzRequest>;
  close(): Promise<void>;
}

export async function startAccounts(
  names: readonly string[],
  opts: {
    hostname?: string;
    /** Fields laid over an account's actor document (a hostile name, icon, summary…). */
    profiles?: Record<string, Record<string, unknown>>;
  } = {},
): Promise<Accounts> {
  const keys = new Map<string, CryptoKeyPair>();
  const served = new Map<string, Served>();
  for (const name of names) keys.set(name, await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"));
  let origin = "";
  const id = (name: string) => `${origin}/users/${name}`;
  const actorDoc = async (name: string, pair: CryptoKeyPair) => ({
    "@context": [AS, SEC],
    id: id(name),
    type: "Person",
    preferredUsername: name,
    name: `${name[0]?.toUpperCase()}${name.slice(1)} Fuzz`,
    url: `${origin}/@${name}`,
    inbox: `${id(name)}/inbox`,
    ...opts.profiles?.[name],
    publicKey: {
      id: `${id(name)}#main-key`,
      owner: id(name),
      publicKeyPem: await exportSpki(pair.publicKey),
    },
  });
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", async () => {
      if (req.method === "POST") return res.writeHead(202).end();
      if (req.method !== "GET") return res.writeHead(405).end();
      const path = req.url ?? "/";
      const name = /^\/users\/([a-z]+)$/.exec(path)?.[1];
      const pair = name ? keys.get(name) : undefined;
      const what: Served | undefined =
        name && pair ? { json: await actorDoc(name, pair) } : served.get(path);
      if (!what) return res.writeHead(404, { "content-type": "text/plain" }).end("not here");
      if ("json" in what) {
        res.writeHead(200, { "content-type": "application/activity+json" });
        return res.end(JSON.stringify(what.json));
      }
      res.writeHead(what.status, { "content-type": what.type }).end(what.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://${opts.hostname ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    id,
    host(path, what) {
      served.set(path, what);
    },
    async sign(name, url, path, activity, spec) {
      const pair = keys.get(name);
      if (!pair) throw new Error(`ap-accounts: there is no account "${name}" (have ${names})`);
      const body = Buffer.from(JSON.stringify(activity));
      const signed = await signRequest(
        new Request(url, {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body: new Uint8Array(body),
        }),
        pair.privateKey,
        new URL(`${id(name)}#main-key`),
        { spec },
      );
      return { method: "POST", path, headers: [...signed.headers].flat(), body };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
