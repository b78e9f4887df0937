/**
 * Correctly signed OAuth requests, built at send time (a fresh timestamp and nonce each),
 * so generated requests get past OAuth into field validation; and the ways a signed request
 * goes wrong on the wire: parameters in the body, the Authorization header or the query,
 * repeated, tampered with after signing, stale, signed for another method or secret,
 * replayed. Signed with the remote listenee's own RFC 5849 code, not protocol/omb/oauth.ts.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import {
  authorizationHeader,
  enc,
  formEncode,
  type Params,
  sign,
} from "../../helpers/remote-listenee-oauth.js";
import type { FuzzRequest } from "./sender.js";

export type Mutation =
  | "none"
  | "signature"
  | "field"
  | "stale"
  | "future"
  | "drop"
  | "method"
  | "secret"
  | "key"
  | "version"
  | "sigmethod"
  | "bad-bytes"
  | "gzip-lie"
  | "replay";

export interface SignedShape {
  placement: "body" | "header" | "query" | "split";
  dup: "none" | "same" | "different-first" | "different-last";
  mutation: Mutation;
  contentType: string | null;
  /** Picks which field a duplicate, tamper or drop applies to. */
  pick: number;
}

/** Content types our endpoints read the same way (any type is read as text)… */
const READABLE_TYPES = [
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=utf-8",
  "APPLICATION/X-WWW-FORM-URLENCODED",
  "application/x-www-form-urlencoded; charset=iso-8859-1",
  "text/plain",
  "application/json",
  "multipart/form-data; boundary=x",
  null,
];
/** …and types whose charset turns the body into something else (or is refused). */
const UNREADABLE_TYPES = [
  "application/x-www-form-urlencoded; charset=utf-16",
  "application/x-www-form-urlencoded; charset=x-nonsense",
];

export const signedShape: fc.Arbitrary<SignedShape> = fc.record({
  placement: fc.constantFrom("body", "body", "header", "query", "split"),
  dup: fc.constantFrom("none", "none", "none", "same", "different-first", "different-last"),
  mutation: fc.oneof(
    { weight: 10, arbitrary: fc.constant<Mutation>("none") },
    {
      weight: 8,
      arbitrary: fc.constantFrom<Mutation>(
        "signature",
        "field",
        "stale",
        "future",
        "drop",
        "method",
        "secret",
        "key",
        "version",
        "sigmethod",
        "bad-bytes",
        "gzip-lie",
        "replay",
      ),
    },
  ),
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant("application/x-www-form-urlencoded") },
    { weight: 3, arbitrary: fc.constantFrom(...READABLE_TYPES) },
    { weight: 1, arbitrary: fc.constantFrom(...UNREADABLE_TYPES) },
  ),
  pick: fc.nat(),
});

export interface Credentials {
  consumerKey: string;
  token?: string;
  tokenSecret: string;
}

export interface Built {
  request: FuzzRequest;
  /** Every parameter as the server will merge them (for the checks after the answer). */
  params: Params;
  /** Correctly signed and sent intact: a 2xx may be right (if the fields are valid). */
  mayBeValid: boolean;
}

/** Requests sent intact, kept for "replay" cases (bounded). */
const sent: { request: FuzzRequest; params: Params }[] = [];

/** Lone surrogates cannot be UTF-8 encoded, so no signer can send them: made U+FFFD. */
function wellFormed(s: string): string {
  return s.replace(/\p{Cs}/gu, "\uFFFD");
}

/** Assignment that keeps a `__proto__` name as a field (plain objects would drop it). */
function set(target: Params, key: string, value: string): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function flip(s: string): string {
  const c = s[0] === "A" ? "B" : "A";
  return c + s.slice(1);
}

/**
 * Signs `fields` for POST `signUrl` (the canonical URL the server verifies against) and lays
 * the request out for `path` as `shape` says.
 */
export function buildSigned(
  path: string,
  signUrl: string,
  rawFields: Params,
  rawCreds: Credentials,
  shape: SignedShape,
): Built {
  const creds: Credentials = {
    consumerKey: wellFormed(rawCreds.consumerKey),
    ...(rawCreds.token === undefined ? {} : { token: wellFormed(rawCreds.token) }),
    tokenSecret: wellFormed(rawCreds.tokenSecret),
  };
  if (shape.mutation === "replay" && sent.length > 0) {
    // the first of the two to arrive may be accepted, the other is a replay
    const earlier = sent[shape.pick % sent.length] as { request: FuzzRequest; params: Params };
    return { ...earlier, mayBeValid: true };
  }
  const fields: Params = {};
  for (const [k, v] of Object.entries(rawFields)) set(fields, wellFormed(k), wellFormed(v));
  const names = Object.keys(fields);
  const picked = names.length > 0 ? names[shape.pick % names.length] : undefined;
  // a replay with nothing sent yet is an ordinary request
  const m = shape.mutation === "replay" ? "none" : shape.mutation;
  const now = Math.floor(Date.now() / 1000);
  const timestamp = m === "stale" ? now - 1000 : m === "future" ? now + 1000 : now;
  const signed = sign(m === "method" ? "GET" : "POST", signUrl, fields, {
    consumerKey: creds.consumerKey,
    ...(creds.token ? { token: creds.token } : {}),
    tokenSecret: m === "secret" ? `${creds.tokenSecret}x` : creds.tokenSecret,
    timestamp,
    nonce: randomBytes(12).toString("hex"),
  });
  // values we refuse (the signature no longer matches them either)
  if (m === "version") signed.oauth_version = "2.0";
  if (m === "sigmethod") signed.oauth_signature_method = "PLAINTEXT";
  let mutated = m !== "none";
  if (m === "signature") signed.oauth_signature = flip(signed.oauth_signature ?? "");
  if (m === "field") {
    if (picked !== undefined) set(signed, picked, `${signed[picked]}x`);
    else signed.oauth_nonce = `${signed.oauth_nonce}x`;
  }
  if (m === "key") signed.oauth_consumer_key = `${creds.consumerKey}other/`;
  if (m === "drop") {
    const essential = ["oauth_consumer_key", "oauth_nonce", "oauth_timestamp", "oauth_signature"];
    delete signed[essential[shape.pick % essential.length] as string];
  }

  const oauth = Object.fromEntries(Object.entries(signed).filter(([k]) => k.startsWith("oauth_")));
  const rest = Object.fromEntries(Object.entries(signed).filter(([k]) => !k.startsWith("oauth_")));
  let query: Params = {};
  let body: Params = {};
  let header: string | undefined;
  if (shape.placement === "query") query = signed;
  else if (shape.placement === "header") {
    header = authorizationHeader(oauth);
    body = rest;
  } else if (shape.placement === "split") {
    const restNames = Object.keys(rest);
    const cut = restNames.length > 0 ? shape.pick % (restNames.length + 1) : 0;
    query = Object.fromEntries(restNames.slice(0, cut).map((k) => [k, rest[k] as string]));
    body = {
      ...Object.fromEntries(restNames.slice(cut).map((k) => [k, rest[k] as string])),
      ...oauth,
    };
  } else body = signed;

  let bodyText = formEncode(body);
  if (shape.dup !== "none" && picked !== undefined && signed[picked] !== undefined) {
    const real = `${enc(picked)}=${enc(signed[picked] as string)}`;
    const other = `${enc(picked)}=${enc(`${signed[picked]}-dup`)}`;
    const extra =
      shape.dup === "same" ? real : shape.dup === "different-first" ? `${other}&${real}` : other;
    // the body's value wins over the query's: a duplicate goes in the body, after the rest
    bodyText = bodyText === "" ? extra : `${bodyText}&${extra}`;
    // an oauth_* name also in the Authorization header: the header's value wins (OAuth.php)
    const headerWins = header !== undefined && picked.startsWith("oauth_");
    if (shape.dup === "different-last" && !headerWins) mutated = true;
  }
  let bodyBytes = Buffer.from(bodyText, "utf8");
  if (m === "bad-bytes")
    bodyBytes = Buffer.concat([bodyBytes, Buffer.from("&x=\xc3\x28\xff", "latin1")]);
  const headers: string[] = [];
  if (shape.contentType !== null) headers.push("content-type", shape.contentType);
  // a charset that garbles the body matters only when there is one
  const garbled = shape.contentType !== null && UNREADABLE_TYPES.includes(shape.contentType);
  if (garbled && bodyBytes.length > 0) mutated = true;
  if (header) headers.push("authorization", header);
  if (m === "gzip-lie") headers.push("content-encoding", "gzip");
  const qs = Object.keys(query).length > 0 ? `?${formEncode(query)}` : "";
  const request: FuzzRequest = {
    method: "POST",
    path: path + qs,
    headers,
    ...(bodyBytes.length > 0 ? { body: bodyBytes } : {}),
  };
  // "bad-bytes" adds an unsigned param; the rest stays signed, so it is still invalid
  if (!mutated && sent.length < 500) sent.push({ request, params: signed });
  return { request, params: signed, mayBeValid: !mutated };
}
