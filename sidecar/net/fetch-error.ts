/**
 * The one error every outbound request fails with: `code` says what went wrong, the message
 * names the URL and what the operator or visitor can do about it.
 */
import { parseHostLiteral } from "./address-policy.js";
import { ForbiddenAddressError } from "./connector.js";

export type FetchErrorCode =
  | "bad-url"
  | "forbidden-address"
  | "dns"
  | "connect"
  | "timeout"
  | "too-large"
  | "too-many-redirects"
  | "http"
  | "reset";

export class FetchError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "FetchError";
  }
}

/** The limits a timeout message can name. */
export interface TimeoutLimits {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  totalTimeoutMs: number;
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_NODATA", "EAI_FAIL"]);
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);
const RESET_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
const HTTP_CODES = new Set(["UND_ERR_RES_CONTENT_LENGTH_MISMATCH", "UND_ERR_INFO"]);

/**
 * Maps what undici, node:net, node:tls and the resolver throw to a FetchError for `url`.
 * Errors without a code, or with one of Node's own ERR_* codes, are programming errors and
 * are rethrown unchanged.
 */
export function toFetchError(err: unknown, url: string, limits: TimeoutLimits): FetchError {
  if (err instanceof FetchError) return err;
  if (err instanceof ForbiddenAddressError) {
    return new FetchError(
      "forbidden-address",
      url,
      `Refused to fetch ${url}: ${named(err)} a ${err.reason} address. ` +
        "Only public Internet addresses are fetched; use a public URL (allowPrivateNetworks " +
        "exists for tests on one machine only).",
      { cause: err },
    );
  }
  const { code, name } = describe(err);
  const make = (c: FetchErrorCode, message: string) =>
    new FetchError(c, url, `${message} (${code || name})`, { cause: err });

  if (name === "TimeoutError" || name === "AbortError") {
    return make(
      "timeout",
      `${url} did not answer within ${limits.totalTimeoutMs} ms. Try again later`,
    );
  }
  switch (code) {
    case "ERR_DNS_TIMEOUT":
      return make(
        "timeout",
        `The host of ${url} did not resolve within ${limits.connectTimeoutMs} ms. Try again later`,
      );
    case "UND_ERR_CONNECT_TIMEOUT":
      return make(
        "timeout",
        `No connection to ${url} within ${limits.connectTimeoutMs} ms. Check the address or try later`,
      );
    case "UND_ERR_HEADERS_TIMEOUT":
      return make(
        "timeout",
        `${url} sent no response within ${limits.headersTimeoutMs} ms. Try again later`,
      );
    case "UND_ERR_HEADERS_OVERFLOW":
      // a peer flooding its header block: not a bug of ours, so never rethrown
      return make(
        "http",
        `${url} sent response headers larger than allowed. The remote server is misbehaving`,
      );
    case "UND_ERR_BODY_TIMEOUT":
      return make(
        "timeout",
        `${url} stalled for ${limits.bodyTimeoutMs} ms while sending its body. Try again later`,
      );
  }
  if (DNS_CODES.has(code)) {
    return make("dns", `The host of ${url} could not be resolved. Check the address for typos`);
  }
  if (CONNECT_CODES.has(code) || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL")) {
    return make(
      "connect",
      `Could not connect to ${url}. Check that the server is up and its TLS certificate valid`,
    );
  }
  if (RESET_CODES.has(code)) {
    return make(
      "reset",
      `${url} closed the connection before answering completely. Try again later`,
    );
  }
  if (HTTP_CODES.has(code) || code.startsWith("HPE_")) {
    return make("http", `${url} answered with malformed HTTP. The remote server is misbehaving`);
  }
  // Any other system or certificate code (EHOSTDOWN, CERT_NOT_YET_VALID, INVALID_CA, …) is
  // about the peer or the network, not a bug of ours; Node's own ERR_* codes are rethrown.
  if (/^[A-Z][A-Z0-9_]+$/.test(code) && !code.startsWith("ERR_")) {
    return make(
      "connect",
      `Could not talk to ${url}. Check that the server is up and its TLS certificate valid`,
    );
  }
  throw err;
}

/** "10.0.0.1 is" or "intranet.example is 10.0.0.1," — whichever the URL said. */
function named(err: ForbiddenAddressError): string {
  return parseHostLiteral(err.hostname) === err.address
    ? `${err.address} is`
    : `${err.hostname} is ${err.address},`;
}

/** The first error code along the `cause` chain (undici wraps socket errors). */
function describe(err: unknown): { code: string; name: string } {
  let current: unknown = err;
  const name = err instanceof Error ? err.name : "";
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return { code, name };
    current = current.cause;
  }
  return { code: "", name };
}
