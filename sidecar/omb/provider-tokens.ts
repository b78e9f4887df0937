/** Issues OAuth request tokens, and exchanges authorized ones for access tokens, recording the follow. */
import { randomBytes } from "node:crypto";
import { ipKeyGenerator } from "express-rate-limit";
import { OAUTH } from "../../protocol/omb/constants.js";
import { encodeForm, type OAuthParams } from "../../protocol/omb/oauth.js";
import { isValidUri, MAX_URI_BYTES } from "../../protocol/omb/validate.js";
import type { Context } from "../context.js";
import type { AccessToken, OmbFollowed, RequestToken } from "../store/types.js";
import { OAuthRejectedError, verifyOAuthRequest } from "./inbound-verify.js";

/** 128 random bits as 32 hex characters, the shape of StatusNet's tokens. */
export function newToken(): string {
  return randomBytes(16).toString("hex");
}

/** The body of a token reply: `oauth_token=…&oauth_token_secret=…`. */
export function tokenReply(token: string, secret: string): string {
  return encodeForm({ [OAUTH.token]: token, [OAUTH.tokenSecret]: secret });
}

/**
 * Request tokens still waiting for the owner, per source address (an IPv6 /56 counts as
 * one): past this, a new one replaces that source's oldest. Nobody needs to be known to
 * ask for one, so this bounds what one address keeps in the store for 24 h.
 */
export const MAX_LIVE_REQUEST_TOKENS_PER_SOURCE = 100;

/** Where a request-token call came from: the peer's address, and the source it counts for. */
export interface RequestSource {
  address: string;
  source: string;
}

/**
 * The consumer key as OMB peers wrote it: the service's root URL (a PEAR-valid http(s)
 * URL), at most 255 bytes as StatusNet's consumer table held it. It is stored with every
 * token, so an unauthenticated caller must not pick its size.
 */
export function checkConsumerKey(key: string): void {
  if (Buffer.byteLength(key) > MAX_URI_BYTES || !isValidUri(key)) {
    throw new OAuthRejectedError(
      `OAuth: oauth_consumer_key must be the service's root URL (http or https, at most ${MAX_URI_BYTES} bytes).`,
    );
  }
}

/**
 * OMB step 1 (OMB.md §3): a remote service asks for a request token. Any consumer key that
 * is a URL is accepted with the empty secret, as StatusNet did; the request must be signed,
 * fresh and new. The omb_* fields are not checked here (no peer did): the authorize step
 * does. The token records where the call came from.
 */
export async function issueRequestToken(
  ctx: Pick<Context, "config" | "store">,
  params: OAuthParams,
  from?: RequestSource,
): Promise<RequestToken> {
  checkConsumerKey(params[OAUTH.consumerKey] ?? "");
  await verifyOAuthRequest(ctx, {
    endpoint: "requestToken",
    method: "POST",
    params,
    tokenSecret: "",
  });
  const t: RequestToken = {
    token: newToken(),
    secret: newToken(),
    consumerKey: params[OAUTH.consumerKey] ?? "",
    createdAt: new Date().toISOString(),
    state: "issued",
    ...from,
  };
  await ctx.store.saveRequestToken(t, { maxPerSource: MAX_LIVE_REQUEST_TOKENS_PER_SOURCE });
  return t;
}

/** The source of a client address for the per-source cap: itself, or its IPv6 /56. */
export function requestSource(address: string): RequestSource {
  return { address, source: ipKeyGenerator(address, 56) };
}

/**
 * OMB step 4: the request token, once the owner authorized it, is exchanged for an access
 * token bound to this consumer key and to the listenee the owner saw. The following record
 * and both token changes are written in one step; an earlier token for the same listenee
 * stops working (the following record names only the new one).
 */
export async function issueAccessToken(
  ctx: Pick<Context, "config" | "store">,
  params: OAuthParams,
): Promise<{ access: AccessToken; following: OmbFollowed }> {
  const consumerKey = params[OAUTH.consumerKey] ?? "";
  const found = await ctx.store.requestToken(params[OAUTH.token] ?? "");
  if (!found || found.consumerKey !== consumerKey) {
    throw new OAuthRejectedError(
      "OAuth: unknown request token for this consumer key. Start the subscription again.",
    );
  }
  await verifyOAuthRequest(ctx, {
    endpoint: "access",
    method: "POST",
    params,
    tokenSecret: found.secret,
  });
  // Read again after the await; the exchange below is one step, so a concurrent one loses.
  const request = await ctx.store.requestToken(found.token);
  if (request?.state !== "authorized" || !request.listenee) throw notAuthorized(request);
  const now = new Date().toISOString();
  const access: AccessToken = {
    token: newToken(),
    secret: newToken(),
    consumerKey,
    listeneeUri: request.listenee.uri,
    createdAt: now,
  };
  const following: OmbFollowed = {
    protocol: "omb",
    id: request.listenee.uri,
    profile: request.listenee,
    credentials: { token: access.token, consumerKey },
    since: now,
  };
  if (!(await ctx.store.exchangeRequestToken(request.token, access, following))) {
    throw notAuthorized(await ctx.store.requestToken(request.token)); // a concurrent exchange won
  }
  return { access, following };
}

function notAuthorized(request: RequestToken | undefined): OAuthRejectedError {
  return new OAuthRejectedError(
    `OAuth: the request token is ${request ? `in state "${request.state}"` : "gone"}, not authorized by the site's owner. Send the browser to the authorize page first.`,
  );
}
