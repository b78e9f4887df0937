// The remote listenee's own OAuth 1.0 HMAC-SHA1, written from RFC 5849 with node:crypto
// and nothing from protocol/omb/oauth*.ts: if our verifier and our signer shared a bug, a
// test signing with one and verifying with the other would not see it.
import { createHmac, randomBytes } from "node:crypto";

export type Params = Record<string, string>;

/** RFC 3986: everything but unreserved characters, as UTF-8 %XX (upper case). */
export function enc(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function formEncode(params: Params): string {
  return Object.entries(params)
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join("&");
}

/**
 * `METHOD&enc(scheme://host[:port]/path)&enc(sorted k=v)`: the URL's query joins the
 * parameters; WHATWG URL already drops a default port and lower-cases the host.
 */
export function baseString(method: string, url: string, params: Params): string {
  const u = new URL(url);
  const pairs: [string, string][] = [];
  for (const [k, v] of u.searchParams) pairs.push([enc(k), enc(v)]);
  for (const [k, v] of Object.entries(params)) {
    if (k !== "oauth_signature") pairs.push([enc(k), enc(v)]);
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const normalized = pairs.map(([k, v]) => `${k}=${v}`).join("&");
  return [method.toUpperCase(), enc(`${u.protocol}//${u.host}${u.pathname}`), enc(normalized)].join(
    "&",
  );
}

export interface SignOptions {
  consumerKey: string;
  token?: string;
  tokenSecret?: string;
  timestamp?: number;
  nonce?: string;
}

/** `params` plus the oauth_* set and its signature (consumer secret "", as in OMB). */
export function sign(method: string, url: string, params: Params, o: SignOptions): Params {
  const signed: Params = {
    ...params,
    oauth_consumer_key: o.consumerKey,
    oauth_nonce: o.nonce ?? randomBytes(16).toString("hex"),
    oauth_signature_method: "HMAC-SHA1",
    oauth_timestamp: String(o.timestamp ?? Math.floor(Date.now() / 1000)),
    oauth_version: "1.0",
  };
  if (o.token) signed.oauth_token = o.token;
  const key = `&${enc(o.tokenSecret ?? "")}`;
  signed.oauth_signature = createHmac("sha1", key)
    .update(baseString(method, url, signed))
    .digest("base64");
  return signed;
}

/** An `Authorization: OAuth …` header from the oauth_* part of a signed set. */
export function authorizationHeader(signed: Params): string {
  const parts = Object.entries(signed)
    .filter(([k]) => k.startsWith("oauth_"))
    .map(([k, v]) => `${enc(k)}="${enc(v)}"`);
  return `OAuth realm="", ${parts.join(", ")}`;
}
