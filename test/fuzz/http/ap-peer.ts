/**
 * A loopback fediverse peer for the ActivityPub fuzzer: one RSA key served as a proper actor
 * (`/actor`), the same key behind documents that are junk (`/junk/<kind>`: HTML, broken
 * JSON, a key with another owner, a 410, a redirect loop…), and a signer that signs a body
 * with that key for any keyId and then breaks the request as asked (Digest, Date, the
 * Signature itself). The test actor (test/helpers/ap-test-actor.ts) signs only intact or
 * plainly wrong requests; this one makes the near misses.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import { exportSpki } from "@fedify/vocab-runtime";
import { Temporal } from "@js-temporal/polyfill";
import type { FuzzRequest } from "./sender.js";

const AS = "https://www.w3.org/ns/activitystreams";
const SEC = "https://w3id.org/security/v1";

/** What `/junk/<kind>` answers: every way a keyId document can be wrong. */
export const JUNK_KINDS = [
  "html",
  "not-json",
  "empty",
  "array",
  "number",
  "no-key",
  "key-other-owner",
  "key-bad-pem",
  "key-id-mismatch",
  "key-not-rsa",
  "other-origin-id",
  "unknown-context",
  "deep",
  "huge",
  "gone",
  "missing",
  "error",
  "redirect-loop",
  "tombstone",
] as const;
export type JunkKind = (typeof JUNK_KINDS)[number];

/**
 * How a signed request is broken after (or while) signing it. Not here, because Fedify
 * rightly accepts them: a wrong `algorithm=` beside a valid RSA signature, the same
 * signature given twice.
 */
export const MUTATIONS = [
  "none",
  "digest-wrong",
  "digest-missing",
  "digest-algorithm",
  "date-old",
  "date-future",
  "date-missing",
  "date-garbage",
  "signature-flip",
  "signature-truncated",
  "headers-list",
  "body-tamper",
  "keyid-other-actor",
] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface Peer {
  origin: string;
  /** The actor whose key signs (`/actor`, key `/actor#main-key`). */
  actorId: string;
  keyId(junk?: JunkKind): string;
  /**
   * POST `body` to `url` (sent at `path` of the sidecar), signed with the peer's key under
   * `keyId`, `spec` as given, then broken as `mutation` says.
   */
  sign(
    url: string,
    path: string,
    body: Buffer,
    keyId: string,
    spec: "draft-cavage-http-signatures-12" | "rfc9421",
    mutation: Mutation,
    /** keyId to claim for "keyid-other-actor" (another actor's key id). */
    otherKeyId: string,
  ): Promise<FuzzRequest>;
  close(): Promise<void>;
}

/** `{"object":{"object":…}}` n deep, as text (JSON.stringify would overflow the stack). */
function deepJson(n: number): string {
  return `${'{"object":'.repeat(n)}{"type":"Note"}${"}".repeat(n)}`;
}

function junkDoc(kind: JunkKind, base: string, pem: string, otherActor: string) {
  const id = `${base}/junk/${kind}`;
  const key = { id: `${id}#main-key`, owner: id, publicKeyPem: pem };
  const person = { "@context": [AS, SEC], id, type: "Person", inbox: `${base}/inbox` };
  switch (kind) {
    case "no-key":
      return person;
    case "key-other-owner":
      return { ...person, publicKey: { ...key, owner: otherActor } };
    case "key-bad-pem":
      return { ...person, publicKey: { ...key, publicKeyPem: "-----BEGIN PUBLIC KEY-----\nAA" } };
    case "key-id-mismatch":
      return { ...person, publicKey: { ...key, id: `${base}/elsewhere#key` } };
    case "key-not-rsa":
      return {
        ...person,
        "@context": [AS, SEC, "https://w3id.org/security/multikey/v1"],
        assertionMethod: { id: key.id, type: "Multikey", controller: id, publicKeyMultibase: "z" },
      };
    case "other-origin-id":
      return { ...person, id: `http://127.0.0.1:1/actor`, publicKey: key };
    case "unknown-context":
      return { ...person, "@context": [`${base}/junk/html`], publicKey: key };
    case "tombstone":
      return { "@context": AS, id, type: "Tombstone" };
    case "array":
      return [person];
    case "number":
      return 42;
    default:
      return { ...person, publicKey: key };
  }
}

function answerJunk(
  kind: JunkKind,
  base: string,
  pem: string,
  otherActor: string,
): { status: number; type: string; body: string; location?: string } {
  const json = "application/activity+json";
  switch (kind) {
    case "html":
      return { status: 200, type: "text/html", body: "<!doctype html><p>not an actor</p>" };
    case "not-json":
      return { status: 200, type: json, body: '{"id": "' };
    case "empty":
      return { status: 200, type: json, body: "" };
    case "huge":
      return { status: 200, type: json, body: `{"pad":"${"a".repeat(3 * 1024 * 1024)}"}` };
    case "gone":
      return { status: 410, type: "text/plain", body: "gone" };
    case "missing":
      return { status: 404, type: "text/plain", body: "no such actor" };
    case "error":
      return { status: 500, type: "text/plain", body: "boom" };
    case "deep": {
      const doc = JSON.stringify({
        ...(junkDoc("no-key", base, pem, otherActor) as Record<string, unknown>),
        id: `${base}/junk/deep`,
      });
      return {
        status: 200,
        type: json,
        body: doc.replace(/}$/, `,"attachment":${deepJson(20_000)}}`),
      };
    }
    case "redirect-loop":
      return { status: 302, type: "text/plain", body: "", location: `${base}/junk/redirect-loop` };
    default:
      return {
        status: 200,
        type: json,
        body: JSON.stringify(junkDoc(kind, base, pem, otherActor)),
      };
  }
}

const flip = (s: string, at: number) => {
  const i = Math.min(at, s.length - 1);
  return s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
};

/** Edits one signature parameter (`name="…"`) in a cavage Signature or RFC 9421 header. */
function editParam(header: string, name: string, edit: (v: string) => string): string {
  return header.replace(new RegExp(`${name}="([^"]*)"`), (_m, v: string) => `${name}="${edit(v)}"`);
}

function breakRequest(
  headers: Headers,
  mutation: Mutation,
  body: Buffer,
  otherKeyId: string,
): Buffer {
  const sig = headers.get("signature") ?? "";
  const cavage = headers.has("digest");
  const digestName = cavage ? "digest" : "content-digest";
  const other = createHash("sha256").update("other body").digest("base64");
  switch (mutation) {
    case "digest-wrong":
      headers.set(digestName, cavage ? `SHA-256=${other}` : `sha-256=:${other}:`);
      break;
    case "digest-missing":
      headers.delete(digestName);
      break;
    case "digest-algorithm":
      headers.set(digestName, cavage ? `MD5=${other}` : `md5=:${other}:`);
      break;
    case "date-missing":
      headers.delete("date");
      break;
    case "date-garbage":
      headers.set("date", "Tue, 99 Foo 10000 25:61:61 GMT");
      break;
    case "signature-flip":
      headers.set(
        "signature",
        cavage
          ? editParam(sig, "signature", (v) => flip(v, 10))
          : sig.replace(/:([^:]+):/, (_m, v: string) => `:${flip(v, 10)}:`),
      );
      break;
    case "signature-truncated":
      headers.set("signature", sig.slice(0, Math.floor(sig.length / 2)));
      break;
    case "headers-list":
      if (cavage)
        headers.set(
          "signature",
          editParam(sig, "headers", () => "host"),
        );
      else headers.set("signature-input", 'sig1=();keyid="x"');
      break;
    case "keyid-other-actor":
      if (cavage)
        headers.set(
          "signature",
          editParam(sig, "keyId", () => otherKeyId),
        );
      else {
        const input = headers.get("signature-input") ?? "";
        headers.set("signature-input", input.replace(/keyid="[^"]*"/, `keyid="${otherKeyId}"`));
      }
      break;
    case "body-tamper":
      return Buffer.concat([body.subarray(0, Math.max(0, body.length - 1)), Buffer.from(" }")]);
    default:
      break;
  }
  return body;
}

export async function startPeer(otherActor: () => string): Promise<Peer> {
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const pem = await exportSpki(keys.publicKey);
  let base = "";
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const url = req.url ?? "/";
      if (req.method === "POST" && url === "/inbox") return res.writeHead(202).end();
      if (req.method !== "GET") return res.writeHead(405).end();
      if (url === "/actor") {
        const doc = {
          "@context": [AS, SEC],
          id: `${base}/actor`,
          type: "Person",
          preferredUsername: "eve",
          inbox: `${base}/inbox`,
          publicKey: { id: `${base}/actor#main-key`, owner: `${base}/actor`, publicKeyPem: pem },
        };
        res.writeHead(200, { "content-type": "application/activity+json" });
        return res.end(JSON.stringify(doc));
      }
      const kind = /^\/junk\/([a-z-]+)$/.exec(url)?.[1] as JunkKind | undefined;
      if (!kind || !JUNK_KINDS.includes(kind)) return res.writeHead(404).end();
      const a = answerJunk(kind, base, pem, otherActor());
      res.writeHead(a.status, {
        "content-type": a.type,
        ...(a.location ? { location: a.location } : {}),
      });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin: base,
    actorId: `${base}/actor`,
    keyId: (junk) => (junk ? `${base}/junk/${junk}#main-key` : `${base}/actor#main-key`),
    async sign(url, path, body, keyId, spec, mutation, otherKeyId) {
      const now = Temporal.Now.instant();
      const hours = mutation === "date-old" ? -2 : mutation === "date-future" ? 2 : 0;
      const signed = await signRequest(
        new Request(url, {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body: new Uint8Array(body),
        }),
        keys.privateKey,
        new URL(keyId),
        { spec, currentTime: now.add({ hours }) as never },
      );
      const headers = new Headers(signed.headers);
      const sent = breakRequest(headers, mutation, body, otherKeyId);
      return { method: "POST", path, headers: [...headers].flat(), body: sent };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
