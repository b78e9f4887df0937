/**
 * The endpoints fuzzed over HTTP, each with its request generator and what counts as a
 * correct answer: a clear 4xx for anything malformed, a 2xx only where the request is one
 * the endpoint serves (the subscribe form page, /healthz). Never a 5xx, never a redirect
 * (a 303 from the subscribe POST would mean a flow started: the store changed).
 */
import fc from "fast-check";
import { SIDECAR_PATHS } from "../../../contract/public-paths.js";
import { OAUTH, OMB, PROFILE_FIELDS, profileParam } from "../../../protocol/omb/constants.js";
import { OWNER_PATHS } from "../../../sidecar/auth/owner.js";
import { hostileText } from "../property.js";
import { queryString } from "./form-text.js";
import { bodyFor, CONTENT_TYPES, cookieHeader, extraHeaders } from "./request-parts.js";
import type { FuzzRequest } from "./sender.js";

export interface Endpoint {
  name: string;
  requests(signCookie: (value: string) => string): fc.Arbitrary<FuzzRequest>;
  /** Whether a status below 400 is a correct answer to `req` (else only 4xx is). */
  mayServe(req: FuzzRequest, status: number): boolean;
}

/** The same path as a client might mangle it: case, slashes, encodings, suffixes. */
export function pathVariant(path: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(path) },
    fc.constantFrom(
      `${path}/`,
      path.toUpperCase(),
      `/${path}`,
      `${path}//`,
      `${path};x=1`,
      `${path}%00`,
      `${path}%2F`,
      `${path}%`,
      `${path}.json`,
      `/.${path}`,
      `/omb/..${path}`,
      path.replace("/omb/", "/omb%2f"),
      path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
      `${path}\u00ff\u00fe`,
    ),
  );
}

/** Characters undici refuses in a path (space, controls, beyond Latin-1) as %-escapes. */
export function toWirePath(s: string): string {
  return s.replace(/[^\x21-\xff]/gu, (c) =>
    [...Buffer.from(c.replace(/\p{Cs}/u, "\uFFFD"), "utf8")]
      .map((b) => `%${b.toString(16)}`)
      .join(""),
  );
}

/** Header values as raw bytes: UTF-8 turned into Latin-1 characters, controls dropped. */
export function toWireHeader(s: string): string {
  return Buffer.from(s.replace(/\p{Cs}/gu, "\uFFFD"), "utf8")
    .toString("latin1")
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, "");
}

const SUBSCRIBE_PARAMS = ["profile_url"];
const CALLBACK_PARAMS = [
  OAUTH.token,
  OMB.version,
  OMB.listener,
  "oauth_verifier",
  ...PROFILE_FIELDS.map((f) => profileParam("listener", f)),
];

/** A request of any shape to `paths`: Part A's generator of malformed requests. */
export function request(
  method: fc.Arbitrary<string>,
  paths: fc.Arbitrary<string>,
  names: readonly string[],
  signCookie: (value: string) => string,
  withBody: boolean,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method,
      path: paths,
      query: queryString(names),
      cookie: fc.option(cookieHeader(signCookie), { nil: undefined }),
      contentTypes: fc.oneof(
        { weight: 3, arbitrary: fc.constant(["application/x-www-form-urlencoded"]) },
        { weight: 2, arbitrary: fc.array(fc.constantFrom(...CONTENT_TYPES), { maxLength: 2 }) },
      ),
      body: withBody
        ? fc.option(bodyFor(names), { nil: undefined, freq: 8 })
        : fc.constant(undefined),
      extra: extraHeaders,
    })
    .map(({ method, path, query, cookie, contentTypes, body, extra }) => {
      const headers: string[] = [];
      for (const ct of contentTypes) headers.push("content-type", ct);
      if (cookie !== undefined) headers.push("cookie", toWireHeader(cookie));
      for (let i = 0; i + 1 < extra.length; i += 2)
        headers.push(extra[i] as string, toWireHeader(extra[i + 1] as string));
      return { method, path: toWirePath(path + query), headers, ...(body ? { body } : {}) };
    });
}

const READ = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("GET", "HEAD") },
  fc.constantFrom("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"),
);
/** 200 for a read; 304 when the client's If-None-Match already matches. */
const servesRead = (req: FuzzRequest, status: number) =>
  ((req.method === "GET" || req.method === "HEAD") && (status === 200 || status === 304)) ||
  (req.method === "OPTIONS" && (status === 200 || status === 204));

/** Every route the sidecar has (the unknown-path fuzzer stays off them). */
const KNOWN_PATHS = [
  ...Object.values(SIDECAR_PATHS),
  ...Object.values(OWNER_PATHS),
  SIDECAR_PATHS.hookCommand,
  "/healthz",
].map((p) => p.toLowerCase());

function isKnownRoute(path: string): boolean {
  let p = path.split("?")[0] ?? "";
  try {
    p = decodeURIComponent(p);
  } catch {
    // a malformed escape cannot match a route either way
  }
  p = p.toLowerCase().replace(/\/+$/, "");
  return KNOWN_PATHS.includes(p) || KNOWN_PATHS.includes(p.replace(/^\/+/, "/"));
}

export const ENDPOINTS: Endpoint[] = [
  {
    name: `GET ${SIDECAR_PATHS.subscribe} (the form)`,
    requests: (sign) =>
      request(READ, pathVariant(SIDECAR_PATHS.subscribe), SUBSCRIBE_PARAMS, sign, false),
    mayServe: servesRead,
  },
  {
    name: `POST ${SIDECAR_PATHS.subscribe}`,
    requests: (sign) =>
      request(
        fc.constant("POST"),
        pathVariant(SIDECAR_PATHS.subscribe),
        SUBSCRIBE_PARAMS,
        sign,
        true,
      ),
    mayServe: () => false,
  },
  {
    name: `GET ${SIDECAR_PATHS.finishSubscribe} (the callback)`,
    requests: (sign) =>
      request(READ, pathVariant(SIDECAR_PATHS.finishSubscribe), CALLBACK_PARAMS, sign, false),
    // OPTIONS is answered by the router itself; every GET without a flow is refused
    mayServe: (req, status) => req.method === "OPTIONS" && servesRead(req, status),
  },
  {
    name: "/healthz",
    requests: (sign) => request(READ, pathVariant("/healthz"), ["x"], sign, true),
    mayServe: servesRead,
  },
  {
    name: "unknown paths",
    requests: (sign) =>
      request(
        fc.constantFrom("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"),
        fc.oneof(
          fc.stringMatching(/^(\/[a-zA-Z0-9._~%:@!$'()*+,=-]{0,16}){1,5}$/),
          hostileText(40).map((s) => `/${s.replace(/[?#]/g, "")}`),
          fc.constantFrom(
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/omb/",
            "/omb/x",
            "/.env",
            "/*",
          ),
        ),
        ["x"],
        sign,
        true,
      ).filter((req) => !isKnownRoute(req.path)),
    mayServe: () => false,
  },
];
