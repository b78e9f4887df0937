/** The actor's RSA-2048 key pair: created on first start, kept in the store, never logged. */
import { webcrypto } from "node:crypto";

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type JsonWebKey = webcrypto.JsonWebKey;

import type { Store } from "../store/store.js";

/** The Store key–value entry holding the pair as JWKs (no TTL: it lives as long as the store). */
const KEY_ENTRY = "activitypub:actor-key:rsa";

const ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

interface StoredPair {
  publicKey: JsonWebKey;
  privateKey: JsonWebKey;
  createdAt: string;
}

function isStoredPair(v: unknown): v is StoredPair {
  const p = v as StoredPair | undefined;
  return typeof p?.publicKey === "object" && typeof p?.privateKey === "object";
}

/** A new RSA-2048 pair (RSASSA-PKCS1-v1_5, SHA-256), extractable: what actors sign with. */
export async function generateRsaKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(
    { ...ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
}

/** One import per store: signing and serving the actor reuse the same CryptoKeys. */
const loaded = new WeakMap<Store, Promise<CryptoKeyPair>>();

/**
 * The actor's key pair: the stored one, or a new RSA-2048 pair (what Mastodon expects;
 * Fedify's own generator makes 4096-bit keys, twice the signing cost) stored in one
 * compare-and-swap, so two processes starting at once agree on one key.
 */
export function actorKeyPair(store: Store): Promise<CryptoKeyPair> {
  let pair = loaded.get(store);
  if (!pair) {
    pair = loadOrCreate(store);
    pair.catch(() => loaded.delete(store));
    loaded.set(store, pair);
  }
  return pair;
}

async function loadOrCreate(store: Store): Promise<CryptoKeyPair> {
  const existing = await store.kvGet(KEY_ENTRY);
  if (isStoredPair(existing)) return importPair(existing);
  if (existing !== undefined) {
    throw new Error(
      `eleventy-federation: the stored ActivityPub key (${KEY_ENTRY}) is damaged. Restore the data file from a backup; a new key would make followers' servers distrust the actor until they refetch it.`,
    );
  }
  const created = await generateRsaKeyPair();
  const stored: StoredPair = {
    publicKey: await webcrypto.subtle.exportKey("jwk", created.publicKey),
    privateKey: await webcrypto.subtle.exportKey("jwk", created.privateKey),
    createdAt: new Date().toISOString(),
  };
  if (await store.kvCas(KEY_ENTRY, undefined, stored)) return created;
  const winner = await store.kvGet(KEY_ENTRY);
  if (!isStoredPair(winner)) throw new Error("eleventy-federation: the ActivityPub key vanished");
  return importPair(winner);
}

async function importPair(p: StoredPair): Promise<CryptoKeyPair> {
  const [publicKey, privateKey] = await Promise.all([
    webcrypto.subtle.importKey("jwk", p.publicKey, ALGORITHM, true, ["verify"]),
    webcrypto.subtle.importKey("jwk", p.privateKey, ALGORITHM, true, ["sign"]),
  ]);
  return { publicKey, privateKey } as CryptoKeyPair;
}
