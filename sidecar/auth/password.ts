/** Hashes and verifies the owner's password with scrypt, in the FEDERATION_OWNER_PASSWORD_HASH format. */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Owner password hashing with scrypt (node:crypto; memory-hard, no native addon to build).
 * Stored form: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, put in FEDERATION_OWNER_PASSWORD_HASH.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEYLEN = 32;

function derive(
  password: string,
  salt: Buffer,
  o: { N: number; r: number; p: number },
): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, KEYLEN, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * How to run the password hasher, in the two places it exists: a checkout of this project
 * (no build, no linked bin) and a project that installed the package.
 */
export const HASH_PASSWORD_COMMANDS = {
  checkout: "npm run --silent hash-password",
  installed: "npx eleventy-federation hash-password",
} as const;

export async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw new Error("eleventy-federation: the password is empty");
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return [
    "scrypt",
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString("base64"),
    key.toString("base64"),
  ].join("$");
}

/**
 * A password for one run of a local demo (`npm start`, `npm run demo`) whose owner set none,
 * and its hash for FEDERATION_OWNER_PASSWORD_HASH. Printed, never stored.
 */
export async function oneTimePassword(): Promise<{ password: string; hash: string }> {
  const password = `demo-${randomBytes(6).toString("hex")}`;
  return { password, hash: await hashPassword(password) };
}

export class PasswordHashError extends Error {
  override name = "PasswordHashError";
}

/** Checks a stored hash's shape, so a bad FEDERATION_OWNER_PASSWORD_HASH fails at start-up. */
export function parsePasswordHash(stored: string): {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
} {
  const [scheme, N, r, p, salt, key] = stored.split("$");
  const n = Number(N);
  if (
    scheme !== "scrypt" ||
    !salt ||
    !key ||
    !Number.isInteger(n) ||
    n < 2 ** 14 ||
    (n & (n - 1)) !== 0
  ) {
    throw new PasswordHashError(
      `eleventy-federation: FEDERATION_OWNER_PASSWORD_HASH is not a hash made by hash-password. Make one with \`printf %s 'your password' | ${HASH_PASSWORD_COMMANDS.installed}\` (in a checkout of eleventy-federation: \`${HASH_PASSWORD_COMMANDS.checkout}\`) and set the variable to the line it prints.`,
    );
  }
  return {
    N: n,
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt, "base64"),
    key: Buffer.from(key, "base64"),
  };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parsePasswordHash(stored);
  const key = await derive(password, h.salt, h);
  return key.length === h.key.length && timingSafeEqual(key, h.key);
}
