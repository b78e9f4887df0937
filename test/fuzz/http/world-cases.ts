/**
 * Building blocks of the provider, hook and admin fuzzers: requests built at send time with
 * what a correct answer may be, Part A's malformed requests for any path, field values,
 * the cookies a request may carry, and the store-write check of a batch.
 */
import fc from "fast-check";
import { formEncode, type Params } from "../../helpers/remote-listenee-oauth.js";
import { hostileText } from "../property.js";
import { pathVariant, request, toWireHeader } from "./endpoints.js";
import { keysIn, unexpectedTables, type Writes } from "./journal.js";
import { paramValue } from "./param-values.js";
import type { ProviderWorld } from "./provider-world.js";
import { cookieHeader } from "./request-parts.js";
import type { FuzzRequest, FuzzResponse } from "./sender.js";
import { buildSigned, type Credentials, signedShape } from "./signed.js";

/** One request, built when it is sent, with what a correct answer to it may be. */
export interface Built {
  request: FuzzRequest;
  /** Whether a status below 400 is a correct answer (else only 4xx is). */
  mayServe(status: number): boolean;
  /** What an accepted request may write (e.g. its notice URI), for the store check. */
  writes?: string;
  /** A further check of the answer; a problem, or null. */
  check?(res: FuzzResponse): string | null;
}

export interface WorldEndpoint {
  name: string;
  cases(world: ProviderWorld): fc.Arbitrary<() => Built>;
  /** Compares the batch's store writes with the answers; a problem, or null. */
  checkWrites(writes: Writes, answered: { built: Built; status: number }[]): string | null;
}

export const ANY_METHOD = fc.oneof(
  { weight: 6, arbitrary: fc.constant("POST") },
  fc.constantFrom("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"),
);
/** Express answers OPTIONS on a known path itself, with the allowed methods. */
export const optionsOk = (req: FuzzRequest, status: number) =>
  req.method === "OPTIONS" && (status === 200 || status === 204);

/** Malformed requests of every shape (Part A's generator), none of them servable. */
export function garbage(path: string, names: readonly string[]): fc.Arbitrary<() => Built> {
  return request(ANY_METHOD, pathVariant(path), names, (v) => v, true).map((req) => () => ({
    request: req,
    mayServe: (s: number) => optionsOk(req, s),
  }));
}

/** Signed POSTs to `path` carrying `fields`; a 2xx is allowed only when sent intact. */
export function signed(
  world: ProviderWorld,
  path: string,
  fields: fc.Arbitrary<Params>,
  creds: fc.Arbitrary<{ creds: Credentials; valid: boolean }>,
  accepted: (fields: Params) => string | undefined = () => undefined,
  check?: (res: FuzzResponse) => string | null,
): fc.Arbitrary<() => Built> {
  return fc.tuple(fields, creds, signedShape).map(([f, c, shape]) => () => {
    const b = buildSigned(path, `${world.target.url}${path.slice(1)}`, f, c.creds, shape);
    const servable = b.mayBeValid && c.valid;
    const note = accepted(b.params);
    return {
      request: b.request,
      mayServe: (s: number) => servable && s === 200,
      ...(note === undefined ? {} : { writes: note }),
      ...(check ? { check } : {}),
    };
  });
}

/** A field value: right, or anything a peer might send (never a fetchable URL). */
export function value(right: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 6, arbitrary: right }, paramValue, hostileText(30));
}

/**
 * Fields for a request, from the right value of each: a third of the time all of them
 * right (so accepted requests happen), else each one right, wrong or missing, plus a few
 * stray names (`__proto__`, brackets, junk).
 */
export function fieldsOf(rights: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<Params> {
  const mixed: Record<string, fc.Arbitrary<string>> = {};
  for (const [k, right] of Object.entries(rights)) mixed[k] = value(right);
  const stray = fc.dictionary(
    fc.constantFrom("__proto__", "constructor", "a[]", "omb_x", "oauth_callback", "x"),
    hostileText(20),
    { maxKeys: 2 },
  );
  const wrong = fc
    .tuple(fc.record(mixed, { requiredKeys: [] }), fc.option(stray, { freq: 4, nil: undefined }))
    .map(([f, s]) => {
      const out: Params = {};
      for (const [k, v] of [...Object.entries(s ?? {}), ...Object.entries(f)]) {
        if (v !== undefined) {
          Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
        }
      }
      return out;
    });
  return fc.oneof({ weight: 2, arbitrary: wrong }, fc.record(rights));
}

export const cookieKind = fc.constantFrom("owner", "owner", "visitor", "none", "forged", "garbage");
export function cookieFor(world: ProviderWorld, kind: string, junk: string): string | undefined {
  if (kind === "owner") return world.owner.cookie;
  if (kind === "visitor") return world.visitor.cookie;
  if (kind === "forged") return `federation_session=${encodeURIComponent(wellFormed(junk))}.AAAA`;
  if (kind === "garbage") return toWireHeader(junk);
  return undefined;
}
export const junkCookie = fc.oneof(
  cookieHeader((v) => v),
  hostileText(30),
);

/** Only as many 2xx-or-3xx answers as writes to `table` (and nothing outside `allowed`). */
export function writesMatch(
  table: string,
  allowed: readonly string[],
  served: (status: number) => boolean,
): WorldEndpoint["checkWrites"] {
  return (w, answered) => {
    const stray = unexpectedTables(w, allowed);
    if (stray.length > 0) return `wrote to ${stray.join(", ")}`;
    // OPTIONS (answered 200 by Express itself) and reads change nothing
    const n = answered.filter((a) => a.built.request.method === "POST" && served(a.status)).length;
    const written = keysIn(w, table).length;
    return written === n ? null : `${written} writes to ${table} for ${n} accepted requests`;
  };
}

/** Lone surrogates cannot be sent as UTF-8 by any client: U+FFFD instead. */
export function wellFormed(s: string): string {
  return s.replace(/\p{Cs}/gu, "\uFFFD");
}

/** A form body or query from `params`, any value made sendable. */
export function wireForm(params: Params): string {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) {
    Object.defineProperty(out, wellFormed(k), { value: wellFormed(v), enumerable: true });
  }
  return formEncode(out);
}
