/** The site as OAuth consumer in a remote subscribe: the signed token calls and the signed authorize URL. */
import { OAUTH, OMB, OMB_VERSION } from "../../protocol/omb/constants.js";
import { encodeForm, parseForm, signRequest } from "../../protocol/omb/oauth.js";
import { type OmbProfile, profileToParams } from "../../protocol/omb/profile.js";
import { appendQuery } from "../../protocol/omb/url-query.js";
import type { XrdsEndpoints } from "../../protocol/omb/xrds.js";
import { FetchError, type HttpClient } from "../net/client.js";

/**
 * The site as OAuth consumer in a remote subscribe (OMB.md §3, §10.3–5): the two signed token
 * calls to the listener's service and the signed authorize URL the browser is sent to.
 * Consumer key = the site's root URL with a trailing slash, consumer secret "" (OMB.md §1).
 */

/**
 * Longest token or token secret taken from a remote service: they are kept for the flow
 * (and the token goes into the browser's cookie) before anyone is known.
 */
export const MAX_REMOTE_TOKEN_BYTES = 255;

/**
 * Longest URL kept from a visitor's discovery (LocalID, endpoints, profile): StatusNet held
 * them in 255-byte columns, and the authorize URL is echoed as a `Location` header.
 */
export const MAX_REMOTE_URL_BYTES = 255;

/** The first discovered URL over `MAX_REMOTE_URL_BYTES`, as [what, bytes], if any. */
export function oversizedUrl(found: {
  profileUrl: string;
  endpoints: XrdsEndpoints;
}): [string, number] | undefined {
  for (const [what, url] of [["profile", found.profileUrl], ...Object.entries(found.endpoints)]) {
    const bytes = Buffer.byteLength(url ?? "");
    if (bytes > MAX_REMOTE_URL_BYTES) return [what ?? "", bytes];
  }
  return undefined;
}

export interface TokenPair {
  token: string;
  secret: string;
}

/** A token call failed: the service said no, answered nonsense, or could not be reached. */
export class TokenRefusedError extends Error {
  override name = "TokenRefusedError";
  constructor(
    readonly step: "request token" | "access token",
    readonly url: string,
    /** The HTTP status, when the service answered. */
    readonly status: number | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${step} from ${url}: ${reason}`, options);
  }
}

/** Step 1: a request token, asked for `listener` (the LocalID from discovery). */
export function fetchRequestToken(
  http: HttpClient,
  requestUrl: string,
  consumerKey: string,
  listener: string,
): Promise<TokenPair> {
  const params = { [OMB.listener]: listener, [OMB.version]: OMB_VERSION };
  return tokenCall(http, "request token", requestUrl, params, { consumerKey });
}

/** Step 4: swaps the authorized request token for an access token. */
export function fetchAccessToken(
  http: HttpClient,
  accessUrl: string,
  consumerKey: string,
  request: TokenPair,
): Promise<TokenPair> {
  return tokenCall(
    http,
    "access token",
    accessUrl,
    { [OMB.version]: OMB_VERSION },
    { consumerKey, token: request.token, tokenSecret: request.secret },
  );
}

export interface AuthorizeRequest {
  /** Where the listener's service sends the browser back (our finishSubscribe URL). */
  callback: string;
  /** The listener's identifier URI (LocalID). */
  listener: string;
  /** Our profile; `uri` is sent as `omb_listenee`. Empty optional fields are left out. */
  listenee: OmbProfile;
}

/**
 * Step 2: the URL the browser is 303'd to. A signed OAuth GET as libomb's "legacy" mode
 * builds it (Laconica ≤ 0.7.2 refused unsigned ones), everything in the query string.
 */
export function authorizeUrl(
  authorizeEndpoint: string,
  consumerKey: string,
  request: TokenPair,
  r: AuthorizeRequest,
): string {
  const listenee = profileToParams("listenee", r.listenee, { onlySet: true });
  // nickname, profile and license are required by every provider, even when empty here
  for (const field of ["profile", "nickname", "license"] as const)
    listenee[`omb_listenee_${field}`] = r.listenee[field];
  const params = {
    [OAUTH.callback]: r.callback,
    [OMB.version]: OMB_VERSION,
    [OMB.listener]: r.listener,
    [OMB.listenee]: r.listenee.uri,
    ...listenee,
  };
  const signed = signRequest("GET", authorizeEndpoint, params, {
    consumerKey,
    token: request.token,
    tokenSecret: request.secret,
  });
  return appendQuery(authorizeEndpoint, encodeForm(signed));
}

/**
 * POSTs a signed form (body only, as every OMB client did) and reads
 * `oauth_token=…&oauth_token_secret=…`. The Content-Type of the answer is not checked
 * (StatusNet sent text/html) and an extra `omb_version` is ignored (only 0.8.2 sent it).
 */
async function tokenCall(
  http: HttpClient,
  step: TokenRefusedError["step"],
  url: string,
  params: Record<string, string>,
  creds: { consumerKey: string; token?: string; tokenSecret?: string },
): Promise<TokenPair> {
  let body: string;
  try {
    body = encodeForm(signRequest("POST", url, params, creds));
  } catch (err) {
    throw new TokenRefusedError(step, url, undefined, "the URL cannot be signed", { cause: err });
  }
  let res: Awaited<ReturnType<HttpClient["postForm"]>>;
  try {
    res = await http.postForm(url, body);
  } catch (err) {
    if (!(err instanceof FetchError)) throw err;
    throw new TokenRefusedError(step, url, undefined, err.message, { cause: err });
  }
  if (res.status !== 200) {
    throw new TokenRefusedError(step, url, res.status, `the service answered HTTP ${res.status}`);
  }
  const answer = parseForm(res.body.trim());
  const token = answer[OAUTH.token];
  const secret = answer[OAUTH.tokenSecret];
  for (const [name, value] of [
    [OAUTH.token, token],
    [OAUTH.tokenSecret, secret],
  ] as const) {
    if (value !== undefined && Buffer.byteLength(value) > MAX_REMOTE_TOKEN_BYTES) {
      throw new TokenRefusedError(
        step,
        url,
        res.status,
        `its ${name} is longer than ${MAX_REMOTE_TOKEN_BYTES} bytes (StatusNet's are 32)`,
      );
    }
  }
  if (!token || secret === undefined) {
    throw new TokenRefusedError(
      step,
      url,
      res.status,
      res.body.trim() === ""
        ? "the service answered with an empty body (it did not grant a token)"
        : "the answer holds no oauth_token and oauth_token_secret",
    );
  }
  return { token, secret };
}
