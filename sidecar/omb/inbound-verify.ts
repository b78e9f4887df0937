/** Verifies inbound OAuth requests and OMB pushes: signature, timestamp window, nonce, token binding. */
import { createHash } from "node:crypto";
import { type SidecarEndpoint, sidecarEndpointUrl } from "../../contract/public-paths.js";
import { OAUTH, OAUTH_VERSION, SIGNATURE_METHOD } from "../../protocol/omb/constants.js";
import { type OAuthParams, verifySignature } from "../../protocol/omb/oauth.js";
import type { Config } from "../config.js";
import type { Context } from "../context.js";
import type { OmbFollowed } from "../store/types.js";
import { ProtocolError } from "../web/errors.js";

/** How far a request's timestamp may be from our clock, either way (OMB.md §5, libomb). */
export const TIMESTAMP_WINDOW_SECONDS = 300;

/**
 * A signed request failed OAuth itself: bad signature, stale timestamp, reused nonce,
 * missing fields. Answered 401, not 403: a StatusNet-era sender drops the subscription on
 * 403 (OMB.md P4), and a clock off by six minutes must not end a subscription for good.
 */
export class OAuthRejectedError extends ProtocolError {
  override name = "OAuthRejectedError";
  constructor(message: string) {
    super(401, message);
  }
}

/**
 * The URL a remote peer signed for one of our endpoints: the canonical public one from
 * the config, never the Host header (behind a proxy it names the proxy's upstream). The
 * default port is dropped when the base string is built (OMB.md §6.2, P2).
 */
export function canonicalUrl(config: Pick<Config, "publicUrl">, endpoint: SidecarEndpoint): string {
  return sidecarEndpointUrl(config.publicUrl, endpoint);
}

export interface VerifyOptions {
  endpoint: SidecarEndpoint;
  method: "GET" | "POST";
  params: OAuthParams;
  /** The secret of the token named by `oauth_token` ("" for the request-token call). */
  tokenSecret: string;
}

/** Longest oauth_nonce taken (StatusNet's are 32 hex characters); the stored entry is a hash either way. */
export const MAX_NONCE_BYTES = 255;

/**
 * Verifies one inbound OAuth 1.0 request in the order that leaks the least: signature
 * (constant time), then the timestamp window, then the nonce, recorded only for a request
 * that was correctly signed so nobody can burn another peer's nonces. Consumer secret is
 * always "" (any consumer key is accepted, as StatusNet did).
 */
export async function verifyOAuthRequest(
  ctx: Pick<Context, "config" | "store">,
  opts: VerifyOptions,
  now = Date.now(),
): Promise<void> {
  await claimOAuthRequest(ctx, opts, { durable: true, now });
}

/**
 * `verifyOAuthRequest`, and with `durable: false` without waiting for the nonce to reach
 * the disk (see `Store.claimNonce`): for a caller that writes something itself before
 * answering, which makes the nonce durable too.
 */
async function claimOAuthRequest(
  ctx: Pick<Context, "config" | "store">,
  opts: VerifyOptions,
  { durable, now = Date.now() }: { durable: boolean; now?: number },
): Promise<void> {
  const p = opts.params;
  const consumerKey = p[OAUTH.consumerKey] ?? "";
  for (const field of [OAUTH.consumerKey, OAUTH.nonce, OAUTH.timestamp, OAUTH.signature]) {
    if (!p[field]) throw new OAuthRejectedError(`OAuth: ${field} is missing.`);
  }
  if (Buffer.byteLength(p[OAUTH.nonce] ?? "") > MAX_NONCE_BYTES) {
    throw new OAuthRejectedError(`OAuth: oauth_nonce is longer than ${MAX_NONCE_BYTES} bytes.`);
  }
  if (p[OAUTH.signatureMethod] !== SIGNATURE_METHOD) {
    throw new OAuthRejectedError(`OAuth: oauth_signature_method must be ${SIGNATURE_METHOD}.`);
  }
  if (p[OAUTH.version] !== undefined && p[OAUTH.version] !== OAUTH_VERSION) {
    throw new OAuthRejectedError(`OAuth: oauth_version must be ${OAUTH_VERSION}.`);
  }
  const url = canonicalUrl(ctx.config, opts.endpoint);
  if (!verifySignature(opts.method, url, p, "", opts.tokenSecret)) {
    throw new OAuthRejectedError(
      `OAuth: the signature does not match. Sign HMAC-SHA1 for ${opts.method} ${url} with consumer secret "" and the token secret.`,
    );
  }
  const timestamp = Number(p[OAUTH.timestamp]);
  const skew = Math.floor(now / 1000) - timestamp;
  if (!/^\d{1,12}$/.test(p[OAUTH.timestamp] ?? "") || Math.abs(skew) > TIMESTAMP_WINDOW_SECONDS) {
    throw new OAuthRejectedError(
      `OAuth: oauth_timestamp is ${Number.isFinite(skew) ? `${skew} s` : "not"} away from our clock; at most ${TIMESTAMP_WINDOW_SECONDS} s is accepted. Check the sender's clock.`,
    );
  }
  // Remembered while the timestamp can still pass the window; after that it fails anyway.
  // Stored as a hash: the key and nonce are the sender's choice, the entry's size is not.
  const key = createHash("sha256")
    .update(`${consumerKey}\n${timestamp}\n${p[OAUTH.nonce]}`)
    .digest("base64url");
  const expiresAt = (timestamp + TIMESTAMP_WINDOW_SECONDS) * 1000 + 1000;
  if (!(await ctx.store.claimNonce(key, expiresAt, { durable }))) {
    throw new OAuthRejectedError("OAuth: this oauth_nonce was already used with this timestamp.");
  }
}

/**
 * A push carries a token we do not (or no longer) honour for that listenee: unknown,
 * revoked by unfollowing, issued to another consumer, or bound to another author. 403 with
 * StatusNet's text, so a sender drops the subscription as OMB expects (OMB.md §10.9).
 */
export class TokenRevokedError extends ProtocolError {
  override name = "TokenRevokedError";
  constructor(
    listenee: string,
    /** Why, for our log only: the answer does not say which check failed. */
    readonly reason: string,
  ) {
    super(403, `Revoked accesstoken for ${listenee}`);
  }
}

/** A push is well signed but a field is wrong: 400 naming the field. */
export class PushFieldError extends ProtocolError {
  override name = "PushFieldError";
  constructor(message: string) {
    super(400, message);
  }
}

/**
 * Authenticates a postNotice/updateProfile push (OMB.md §4): the access token must be one
 * we issued to this consumer key, the request correctly signed, fresh and new, and the
 * token bound to a subscription to exactly this `omb_listenee` (the check libomb forgot,
 * OMB.md P5). Returns the followed account it checked. With `durable: false` the nonce is
 * not waited for (a caller that stores the notice next makes it durable with that write; a
 * duplicate notice, which writes nothing, may be replayed after a crash: it is ignored again).
 */
export async function verifyPush(
  ctx: Pick<Context, "config" | "store" | "log">,
  endpoint: "postNotice" | "updateProfile",
  params: OAuthParams,
  { durable = true }: { durable?: boolean } = {},
): Promise<OmbFollowed> {
  const listenee = params.omb_listenee ?? "";
  const consumerKey = params[OAUTH.consumerKey];
  const revoked = (reason: string) => {
    // 403 makes the sender drop us: worth a line in the log saying why.
    ctx.log.warn({ endpoint, listenee, consumerKey, reason }, "push refused: token revoked");
    return new TokenRevokedError(listenee, reason);
  };
  const access = await ctx.store.accessToken(params[OAUTH.token] ?? "");
  if (!access) throw revoked("unknown or revoked access token");
  if (access.consumerKey !== consumerKey) throw revoked("access token of another consumer key");
  await claimOAuthRequest(
    ctx,
    { endpoint, method: "POST", params, tokenSecret: access.secret },
    { durable },
  );
  if (listenee === "") throw new PushFieldError("omb_listenee: is required");
  const following = await ctx.store.followedAccount(listenee);
  if (
    access.listeneeUri !== listenee ||
    following?.protocol !== "omb" ||
    following.credentials.token !== access.token
  ) {
    throw revoked("access token bound to another listenee");
  }
  return following;
}
