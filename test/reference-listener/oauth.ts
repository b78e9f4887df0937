import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * OAuth 1.0 HMAC-SHA1 written straight from the spec (RFC 5849 §3.4, §3.6), with node:crypto
 * only. Deliberately independent of protocol/omb/oauth*.ts so that the reference listener can
 * catch a bug there instead of sharing it.
 */

export type Params = Record<string, string>;

const UNRESERVED = new Set(
  Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", (c) =>
    c.charCodeAt(0),
  ),
);

/** RFC 5849 §3.6: every UTF-8 byte except unreserved ones becomes `%XX` (uppercase hex). */
export function rfc3986(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    out += UNRESERVED.has(byte)
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Decodes `application/x-www-form-urlencoded` bytes: `+` is a space, `%XX` a byte. */
export function formDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    const hex = s.slice(i + 1, i + 3);
    if (c === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === "+") {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** `a=1&b=2&` → pairs, in order; empty pieces (a trailing `&`) are skipped. */
export function parsePairs(s: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const piece of s.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    pairs.push(
      eq === -1
        ? [formDecode(piece), ""]
        : [formDecode(piece.slice(0, eq)), formDecode(piece.slice(eq + 1))],
    );
  }
  return pairs;
}

/** Last value wins on a repeated name, as PHP's `$_GET`/`$_POST` do. */
export function parseParams(s: string): Params {
  const params: Params = Object.create(null);
  for (const [k, v] of parsePairs(s)) params[k] = v;
  return { ...params };
}

/** oauth_* params of an `Authorization: OAuth k="v", …` header (RFC 5849 §3.5.1). */
export function parseOAuthHeader(header: string | undefined): Params {
  const params: Params = {};
  const m = /^\s*OAuth\s+(.*)$/is.exec(header ?? "");
  if (!m) return params;
  for (const part of (m[1] ?? "").split(",")) {
    const kv = /^\s*([^=\s]+)\s*=\s*"?([^"]*)"?\s*$/.exec(part);
    if (!kv) continue;
    const name = decodeURIComponent(kv[1] ?? "");
    if (name.startsWith("oauth_")) params[name] = decodeURIComponent(kv[2] ?? "");
  }
  return params;
}

/** RFC 5849 §3.4.1.2: scheme and host lower-cased, default port dropped, no query. */
export function baseStringUri(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** RFC 5849 §3.4.1: `METHOD&enc(uri)&enc(sorted enc(k)=enc(v) joined by &)`. */
export function baseString(method: string, url: string, params: Params): string {
  const normalized = Object.entries(params)
    .filter(([k]) => k !== "oauth_signature")
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka === kb ? cmp(va, vb) : cmp(ka, kb)))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  return [method.toUpperCase(), rfc3986(baseStringUri(url)), rfc3986(normalized)].join("&");
}

/** RFC 5849 §3.4.2: key `enc(consumer secret)&enc(token secret)`, base64 digest. */
export function hmacSha1(base: string, consumerSecret: string, tokenSecret: string): string {
  return createHmac("sha1", `${rfc3986(consumerSecret)}&${rfc3986(tokenSecret)}`)
    .update(base, "utf8")
    .digest("base64");
}

export function sign(method: string, url: string, params: Params, tokenSecret: string): string {
  return hmacSha1(baseString(method, url, params), "", tokenSecret);
}

/** True when `params.oauth_signature` is the HMAC-SHA1 of the request (consumer secret ""). */
export function signatureValid(
  method: string,
  url: string,
  params: Params,
  tokenSecret: string,
): boolean {
  const given = params.oauth_signature;
  if (given === undefined || params.oauth_signature_method !== "HMAC-SHA1") return false;
  const expected = Buffer.from(sign(method, url, params, tokenSecret));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
