/**
 * The sidecar's single outbound HTTP client: discovery, token calls and notice deliveries
 * all go through it, so the SSRF guard (connector.ts), the size cap and the time limits
 * apply everywhere. Keep-alive pools per origin carry the delivery worker's traffic.
 */
import dns from "node:dns";
import type { ConnectionOptions } from "node:tls";
import { Agent, type Dispatcher } from "undici";
import { isForbiddenAddress } from "./address-policy.js";
import { type AddressPolicy, guardedConnector, type LookupFunction } from "./connector.js";
import { FetchError, toFetchError } from "./fetch-error.js";
import { type BodyCap, headerValue, readCapped } from "./read-body.js";

export type { AddressPolicy, LookupFunction } from "./connector.js";
export { FetchError, type FetchErrorCode } from "./fetch-error.js";
export type { BodyCap } from "./read-body.js";

export interface HttpClientOptions {
  /** Allow loopback, private and other non-public addresses. Only for tests on one machine. */
  allowPrivateNetworks: boolean;
  /** TCP + TLS connect limit per address tried. Default 5000. */
  connectTimeoutMs?: number;
  /** Time from request sent to response headers received. Default 10000. */
  headersTimeoutMs?: number;
  /** Longest silence while the body arrives. Default 10000. */
  bodyTimeoutMs?: number;
  /** Whole request, redirects included. Default 20000. */
  totalTimeoutMs?: number;
  /** Larger bodies are abandoned with a "too-large" error. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Redirects followed by get(). Default 5. */
  maxRedirects?: number;
  /** Keep-alive connections per origin. Default 64. */
  connections?: number;
  /** Default "eleventy-federation/0.1 (OpenMicroBlogging 0.1)". */
  userAgent?: string;
  /** Resolver used by the connector. Default dns.lookup (the OS resolver). */
  lookup?: LookupFunction;
  /** Address policy; overrides allowPrivateNetworks. Default isForbiddenAddress. */
  isForbidden?: AddressPolicy;
  /** Extra TLS options, e.g. a private CA for tests. */
  tls?: ConnectionOptions;
}

export interface HttpResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** The final URL, after redirects. */
  url: string;
  /** Set when a truncating BodyCap cut the body short. */
  truncated?: true;
}

const DEFAULTS = {
  connectTimeoutMs: 5000,
  headersTimeoutMs: 10000,
  bodyTimeoutMs: 10000,
  totalTimeoutMs: 20000,
  maxResponseBytes: 1024 * 1024,
  maxRedirects: 5,
  connections: 64,
  userAgent: "eleventy-federation/0.1 (OpenMicroBlogging 0.1)",
};
type Limits = typeof DEFAULTS;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Credentials meant for one origin must not follow a redirect to another. */
const ORIGIN_BOUND_HEADERS = ["authorization", "cookie"];

export class HttpClient {
  readonly #agent: Agent;
  readonly #limits: Limits;

  constructor(opts: HttpClientOptions) {
    this.#limits = resolveLimits(opts);
    const policy =
      opts.isForbidden ?? (opts.allowPrivateNetworks ? () => null : isForbiddenAddress);
    this.#agent = new Agent({
      connect: guardedConnector({
        policy,
        lookup: opts.lookup ?? dns.lookup,
        connectTimeoutMs: this.#limits.connectTimeoutMs,
        ...(opts.tls ? { tls: opts.tls } : {}),
      }),
      connections: this.#limits.connections,
      headersTimeout: this.#limits.headersTimeoutMs,
      bodyTimeout: this.#limits.bodyTimeoutMs,
    });
  }

  /** GET; redirects are followed (each hop re-vetted at connect) unless told otherwise. */
  get(
    url: string,
    headers: Record<string, string> = {},
    opts: { followRedirects?: boolean; bodyCaps?: BodyCap[] } = {},
  ): Promise<HttpResponse> {
    return this.#send("GET", url, headers, undefined, opts.followRedirects ?? true, opts.bodyCaps);
  }

  /** POST an application/x-www-form-urlencoded body; a redirect is returned, never followed. */
  postForm(url: string, body: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const withType = { ...headers, "content-type": "application/x-www-form-urlencoded" };
    return this.#send("POST", url, withType, body, false);
  }

  /** POST a body with its content type (ActivityPub: activity JSON); a redirect is returned, never followed. */
  post(
    url: string,
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
  ): Promise<HttpResponse> {
    return this.#send("POST", url, { ...headers, "content-type": contentType }, body, false);
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  async #send(
    method: "GET" | "POST",
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    followRedirects: boolean,
    bodyCaps: BodyCap[] = [],
  ): Promise<HttpResponse> {
    const signal = AbortSignal.timeout(this.#limits.totalTimeoutMs);
    let current = checkUrl(url, url);
    let sent: Record<string, string> = {
      "user-agent": this.#limits.userAgent,
      ...lowerCaseKeys(headers),
    };
    for (let hop = 0; ; hop++) {
      try {
        const res = await untilAborted(
          this.#agent.request({
            origin: current.origin,
            path: current.pathname + current.search,
            method,
            headers: sent,
            body: body ?? null,
            signal,
          }),
          signal,
        );
        const location = headerValue(res.headers.location);
        if (followRedirects && REDIRECT_STATUSES.has(res.statusCode) && location) {
          await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
          if (hop >= this.#limits.maxRedirects) {
            throw new FetchError(
              "too-many-redirects",
              url,
              `${url} redirected more than ${this.#limits.maxRedirects} times (last to ${location}). ` +
                "Use the final address of the page instead.",
            );
          }
          const next = checkUrl(location, url, current);
          if (next.origin !== current.origin) sent = withoutKeys(sent, ORIGIN_BOUND_HEADERS);
          current = next;
          continue;
        }
        const max = this.#limits.maxResponseBytes;
        const { body: text, truncated } = await readCapped(res, current.href, max, bodyCaps);
        const headers = flattenHeaders(res.headers);
        const answer = { status: res.statusCode, headers, body: text, url: current.href };
        return truncated ? { ...answer, truncated } : answer;
      } catch (err) {
        throw toFetchError(err, current.href, this.#limits);
      }
    }
  }
}

/**
 * undici leaves a request waiting for its connection (lookup, connect) deaf to the signal;
 * this makes the total limit hold in that phase too. A late response is discarded.
 */
function untilAborted(
  pending: Promise<Dispatcher.ResponseData>,
  signal: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      pending.then(
        (late) => late.body.destroy(),
        () => {},
      );
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function resolveLimits(opts: HttpClientOptions): Limits {
  const limits = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof Limits)[]) {
    const value = opts[key];
    if (value === undefined) continue;
    if (key === "userAgent") {
      limits.userAgent = String(value);
    } else if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new RangeError(
        `HttpClient: option ${key} must be a non-negative integer, got ${value}`,
      );
    } else {
      limits[key] = value;
    }
  }
  return limits;
}

/** Parses `raw` (relative to `base` for redirects); only http(s) without credentials passes. */
function checkUrl(raw: string, requested: string, base?: URL): URL {
  const via = base ? ` (redirected from ${requested})` : "";
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new FetchError("bad-url", raw, `"${raw}"${via} is not a valid URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FetchError(
      "bad-url",
      url.href,
      `${url.href}${via} is not an http: or https: URL; only web addresses can be fetched.`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new FetchError(
      "bad-url",
      url.href,
      `${url.href}${via} contains a user name or password; give the address without them.`,
    );
  }
  return url;
}

function flattenHeaders(headers: Dispatcher.ResponseData["headers"]): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const joined = headerValue(value);
    if (joined !== undefined) flat[name.toLowerCase()] = joined;
  }
  return flat;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function withoutKeys(headers: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !keys.includes(k)));
}
