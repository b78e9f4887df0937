/**
 * The baselines of bench/ap-inbound.ts, in their own process like the sidecar: a bare
 * Express 5 app that reads a POSTed activity body (raw, up to 1 MB, as the sidecar's adapter
 * does) at the shared inbox's path and answers 202. With AP_BENCH_VERIFY=1 it also does
 * the least any verifying inbox must do: the Digest checked against the body, the
 * draft-cavage signature checked with node:crypto against the sender's key (fetched once
 * per keyId, then kept in memory), 401 otherwise. No JSON-LD, no deduplication.
 */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import express from "express";

const VERIFY = process.env.AP_BENCH_VERIFY === "1";
const keys = new Map<string, Promise<KeyObject>>();

function keyOf(keyId: string): Promise<KeyObject> {
  let key = keys.get(keyId);
  if (!key) {
    key = fetch(keyId, { headers: { accept: "application/activity+json" } })
      .then((r) => r.json() as Promise<{ publicKey?: { publicKeyPem?: string } }>)
      .then((doc) => createPublicKey(doc.publicKey?.publicKeyPem ?? ""));
    keys.set(keyId, key);
  }
  return key;
}

async function verified(req: express.Request, body: Buffer): Promise<boolean> {
  const digest = `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
  if (req.headers.digest !== digest) return false;
  const params = new Map<string, string>();
  for (const m of String(req.headers.signature ?? "").matchAll(/(\w+)="([^"]*)"/g)) {
    params.set(m[1] ?? "", m[2] ?? "");
  }
  const keyId = params.get("keyId");
  const names = params.get("headers")?.split(" ") ?? [];
  if (!keyId || !names.includes("(request-target)")) return false;
  const signed = names
    .map((n) =>
      n === "(request-target)" ? `${n}: post ${req.originalUrl}` : `${n}: ${req.headers[n] ?? ""}`,
    )
    .join("\n");
  const sig = Buffer.from(params.get("signature") ?? "", "base64");
  return verify("sha256", Buffer.from(signed), await keyOf(keyId), sig);
}

const app = express();
app.post("/ap/inbox", express.raw({ type: () => true, limit: 1024 * 1024 }), async (req, res) => {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (body.length === 0) return void res.status(400).end();
  const ok = !VERIFY || (await verified(req, body).catch(() => false));
  res.status(ok ? 202 : 401).end();
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`listening ${port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
