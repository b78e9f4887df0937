/** OAuth 1.0 HMAC-SHA1 as OMB peers speak it: base strings, signing, verifying, form and header parsing. */
import { createHmac, randomFillSync, timingSafeEqual } from "node:crypto";
import { OAUTH, OAUTH_VERSION, SIGNATURE_METHOD } from "./constants.js";

/**
 * OAuth 1.0 (not 1.0a) HMAC-SHA1 as OMB peers speak it (OMB.md §3, §6.2, §10.8). The base
 * string is built here rather than with the `oauth-1.0a` package (whose output it matches
 * byte for byte, tested), because that package gets several things wrong for OMB:
 * - it keeps `:80`/`:443` in the base-string URL: we drop the default port;
 * - it decodes query params with `decodeURIComponent` (throws on a stray `%`, keeps `+`):
 *   we parse the query ourselves and sign them as ordinary params;
 * - it collects params in plain objects, where a param named `__proto__` vanishes: such a
 *   param would go unsigned, so anyone could change it (a fuzzing finding);
 * - its `authorize()` makes nonces with Math.random.
 * Scheme and host case are kept exactly as given: Laconica never lower-cased them.
 */

export interface OAuthCredentials {
  /** The consumer's site root URL with trailing slash (OMB.md §1). */
  consumerKey: string;
  /** Always "" between OMB peers; default "". */
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
}

export type OAuthParams = Record<string, string>;

/** Thrown when a URL to sign or verify is not an absolute `scheme://host…` URL. */
export class OAuthUrlError extends Error {
  override name = "OAuthUrlError";
  constructor(readonly url: string) {
    super(`OAuth: cannot sign "${url.slice(0, 200)}": expected an absolute scheme://host/path URL`);
  }
}

const UNRESERVED_ONLY = /^[A-Za-z0-9._~-]*$/;

/** RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - . _ ~`, as UTF-8; space is %20. */
export function percentEncode(s: string): string {
  // Tokens, nonces and timestamps need no encoding: skip the two passes (fan-out hot path).
  if (UNRESERVED_ONLY.test(s)) return s;
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Every param as an encoded `[name, value]` pair, sorted by encoded name (the base string's order). */
export function encodedPairs(params: OAuthParams): (readonly [string, string])[] {
  return Object.entries(params)
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `k=v&…` sorted by encoded name (the order of the OAuth base string), %20 for spaces. */
export function encodeForm(params: OAuthParams): string {
  return encodedPairs(params)
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/**
 * Parses `application/x-www-form-urlencoded` text (a body, a query or a callback's query).
 * Tolerant, because peers are sloppy (OMB.md P7): empty pieces and a trailing `&` are skipped,
 * `+` is a space, a name without `=` gets "", and a `%` sequence that is not valid UTF-8 is
 * kept literally instead of throwing. On a repeated name the LAST value wins, as in PHP's
 * `$_POST`/`parse_str`, so we read an odd request the way every OMB peer did.
 */
export function parseForm(body: string): OAuthParams {
  const params: OAuthParams = {};
  for (const piece of body.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const rawKey = eq === -1 ? piece : piece.slice(0, eq);
    const rawValue = eq === -1 ? "" : piece.slice(eq + 1);
    setParam(params, formDecode(rawKey), formDecode(rawValue));
  }
  return params;
}

/**
 * Splits a URL into the base-string URL (`scheme://host[:port]/path`: no userinfo, query or
 * fragment, default port dropped, case kept) and its raw query (undefined if none).
 */
export function splitSigningUrl(url: string): { baseUrl: string; query: string | undefined } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/s.exec(url);
  if (!m) throw new OAuthUrlError(url);
  const [, scheme = "", authority = "", path = "", query] = m;
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const hp = /^(.*?)(?::(\d*))?$/s.exec(hostPort);
  const host = hp?.[1] ?? hostPort;
  const port = hp?.[2];
  if (host === "") throw new OAuthUrlError(url);
  const lower = scheme.toLowerCase();
  const isDefault =
    port === undefined ||
    port === "" ||
    (lower === "http" && Number(port) === 80) ||
    (lower === "https" && Number(port) === 443);
  return { baseUrl: `${scheme}://${host}${isDefault ? "" : `:${port}`}${path}`, query };
}

/**
 * The OAuth 1.0 signature base string: `METHOD&enc(base URL)&enc(sorted params)`. The URL's
 * query params are signed like any other; `oauth_signature` is left out. A param given both
 * in the query and in `params` is signed once, with the value from `params`.
 */
export function signatureBaseString(method: string, url: string, params: OAuthParams): string {
  const { baseUrl, data } = prepare(url, params);
  // encodeForm sorts by encoded name; names are unique (an object's keys), so no tie-break.
  return `${method.toUpperCase()}&${percentEncode(baseUrl)}&${percentEncode(encodeForm(data))}`;
}

/**
 * Signs a request with HMAC-SHA1. Returns `params` plus every oauth_* field (with
 * `oauth_token` when `creds.token` is set) and `oauth_signature`, ready for a form body.
 * Query params of `url` are signed but not copied into the result: they stay in the URL.
 */
export function signRequest(
  method: "GET" | "POST",
  url: string,
  params: OAuthParams,
  creds: OAuthCredentials,
  opts: { nonce?: string; timestamp?: number } = {},
): OAuthParams {
  const signed: OAuthParams = { ...params };
  signed[OAUTH.consumerKey] = creds.consumerKey;
  signed[OAUTH.nonce] = opts.nonce ?? newNonce();
  signed[OAUTH.signatureMethod] = SIGNATURE_METHOD;
  signed[OAUTH.timestamp] = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  signed[OAUTH.version] = OAUTH_VERSION;
  if (creds.token) signed[OAUTH.token] = creds.token;
  signed[OAUTH.signature] = computeSignature(
    method,
    url,
    signed,
    creds.consumerSecret ?? "",
    creds.tokenSecret ?? "",
  );
  return signed;
}

/**
 * Checks `oauth_signature` in `params` (which must include the query params, if any; a
 * query left in `url` is merged too). Only HMAC-SHA1 is accepted. The comparison is
 * constant-time; a signature of the wrong length is compared against itself so that the
 * time taken does not depend on where it differs.
 */
export function verifySignature(
  method: string,
  url: string,
  params: OAuthParams,
  consumerSecret: string,
  tokenSecret: string,
): boolean {
  const given = params[OAUTH.signature];
  if (given === undefined || params[OAUTH.signatureMethod] !== SIGNATURE_METHOD) return false;
  let expected: string;
  try {
    expected = computeSignature(method, url, params, consumerSecret, tokenSecret);
  } catch (err) {
    // A lone surrogate in a param cannot be UTF-8 encoded, so nobody can have signed it.
    if (err instanceof URIError) return false;
    throw err;
  }
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  const sameLength = a.length === b.length;
  const equal = timingSafeEqual(a, sameLength ? b : a);
  return sameLength && equal;
}

/**
 * Reads the oauth_* params of an `Authorization: OAuth k="v", …` header (percent-decoded;
 * `+` stays a plus, as RFC 5849 §3.5.1 says). `realm` and any non-oauth_ name are dropped,
 * as OAuth.php did; spacing and quoting are tolerated. Any other scheme gives {}.
 */
export function parseAuthorizationHeader(header: string): OAuthParams {
  const m = /^\s*OAuth(?:\s+|$)(.*)$/is.exec(header);
  const params: OAuthParams = {};
  if (!m) return params;
  for (const p of (m[1] ?? "").matchAll(/([^\s=,]+)\s*=\s*(?:"([^"]*)"|([^\s,]*))/g)) {
    const name = percentDecode(p[1] ?? "");
    if (!name.startsWith("oauth_")) continue;
    setParam(params, name, percentDecode(p[2] ?? p[3] ?? ""));
  }
  return params;
}

/** Random bytes for 256 nonces, refilled when used up: one CSPRNG call per 256 nonces. */
const noncePool = Buffer.alloc(16 * 256);
let noncePoolOffset = noncePool.length;

/**
 * 128 random bits as 32 hex chars, like the tokens and nonces StatusNet issued. The same
 * CSPRNG as `randomBytes(16)`, drawn in batches because a fan-out makes thousands at once.
 */
export function newNonce(): string {
  if (noncePoolOffset >= noncePool.length) {
    randomFillSync(noncePool);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.toString("hex", noncePoolOffset, noncePoolOffset + 16);
  noncePoolOffset += 16;
  return nonce;
}

function computeSignature(
  method: string,
  url: string,
  params: OAuthParams,
  consumerSecret: string,
  tokenSecret: string,
): string {
  return signBaseString(signatureBaseString(method, url, params), consumerSecret, tokenSecret);
}

/** The base URL and every param to sign (the URL's query merged in), in a fresh object. */
function prepare(url: string, params: OAuthParams): { baseUrl: string; data: OAuthParams } {
  const { baseUrl, query } = splitSigningUrl(url);
  // Null prototype: a `__proto__` name is an ordinary own key here, not a prototype change.
  const data: OAuthParams = Object.create(null);
  if (query !== undefined) for (const [k, v] of Object.entries(parseForm(query))) data[k] = v;
  for (const [k, v] of Object.entries(params)) data[k] = v;
  delete data[OAUTH.signature];
  return { baseUrl, data };
}

/** HMAC-SHA1 of a base string with key `enc(consumerSecret)&enc(tokenSecret)`, base64. */
export function signBaseString(base: string, consumerSecret: string, tokenSecret: string): string {
  return hmacSha1(base, `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`);
}

function hmacSha1(base: string, key: string): string {
  return createHmac("sha1", key).update(base, "utf8").digest("base64");
}

function formDecode(s: string): string {
  return percentDecode(s.replaceAll("+", " "));
}

/** `%XX` → UTF-8 text; sequences that are not valid UTF-8, and stray `%`, stay literal. */
function percentDecode(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodeRun);
  }
}

/** Decodes a run of `%XX` escapes one UTF-8 sequence at a time, keeping invalid bytes. */
function decodeRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    let out = "";
    const n = run.length / 3;
    let i = 0;
    while (i < n) {
      const lead = Number.parseInt(run.slice(3 * i + 1, 3 * i + 3), 16);
      const len =
        lead < 0x80 ? 1 : lead < 0xc2 ? 0 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf5 ? 4 : 0;
      if (len > 0 && i + len <= n) {
        try {
          out += decodeURIComponent(run.slice(3 * i, 3 * (i + len)));
          i += len;
          continue;
        } catch {
          // not a valid sequence: fall through and keep the lead byte literally
        }
      }
      out += run.slice(3 * i, 3 * i + 3);
      i++;
    }
    return out;
  }
}

/** Assignment that keeps a `__proto__` name as data instead of changing the prototype. */
function setParam(target: OAuthParams, key: string, value: string): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
