/**
 * A second, independent verifier of our outgoing signatures (Misskey's
 * @misskey-dev/node-http-message-signatures, not Fedify): draft-cavage through its
 * verifier, RFC 9421 through its signature base and WebCrypto. Digest / Content-Digest are
 * checked against the raw body, and the Date within an hour.
 */
import { webcrypto } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  parseRequestSignature,
  RFC9421SignatureBaseFactory,
  verifyDigestHeader,
  verifyDraftSignature,
} from "@misskey-dev/node-http-message-signatures";

export interface Verified {
  scheme: "cavage" | "rfc9421";
  keyId: string;
  /** What the signature covers, as its header names them. */
  components: string[];
}

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** Throws with the reason when the request's signature or digest does not verify with `publicKey`. */
export async function verifyRequest(
  req: IncomingMessage,
  body: Buffer,
  publicKey: webcrypto.CryptoKey,
): Promise<Verified> {
  if (
    !(await verifyDigestHeader(req as never, body, {
      failOnNoDigest: true,
      algorithms: ["SHA-256"],
    }))
  ) {
    throw new Error("digest does not match the body");
  }
  if (req.headers["signature-input"]) return verifyRfc9421(req, publicKey);
  const parsed = parseRequestSignature(req as never, {
    clockSkew: { now: new Date(), forward: 3_600_000, delay: 3_600_000 },
  });
  if (parsed.version !== "draft") throw new Error("unexpected signature version");
  if (!(await verifyDraftSignature(parsed.value, publicKey))) {
    throw new Error("cavage: bad signature");
  }
  const p = parsed.value.params;
  return { scheme: "cavage", keyId: p.keyId, components: p.headers };
}

/** RFC 9421: the library builds the signature base from Signature-Input; WebCrypto checks it. */
async function verifyRfc9421(
  req: IncomingMessage,
  publicKey: webcrypto.CryptoKey,
): Promise<Verified> {
  const input = String(req.headers["signature-input"]);
  const m = /^([A-Za-z0-9_-]+)=\(([^)]*)\)(.*)$/.exec(input);
  if (!m) throw new Error(`rfc9421: unreadable Signature-Input ${input}`);
  const [, label, list, params] = m as unknown as [string, string, string, string];
  const sig = new RegExp(`(?:^|,\\s*)${label}=:([A-Za-z0-9+/=]+):`).exec(
    String(req.headers.signature ?? ""),
  );
  if (!sig?.[1]) throw new Error(`rfc9421: no signature labelled ${label}`);
  const created = Number(/;created=(\d+)/.exec(params)?.[1]);
  if (!(Math.abs(Date.now() / 1000 - created) < 3600))
    throw new Error("rfc9421: created out of window");
  const base = new RFC9421SignatureBaseFactory(req as never, "http").generate(label);
  const ok = await webcrypto.subtle.verify(
    RSA,
    publicKey,
    Buffer.from(sig[1], "base64"),
    new TextEncoder().encode(base),
  );
  if (!ok) throw new Error(`rfc9421: bad signature (${label})`);
  const keyId = /;keyid="([^"]+)"/.exec(params)?.[1] ?? "";
  const components = [...list.matchAll(/"([^"]+)"/g)].map((c) => c[1] as string);
  return { scheme: "rfc9421", keyId, components };
}
