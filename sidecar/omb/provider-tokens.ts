/** Issues OAuth request tokens, and exchanges authorized ones for access tokens, recording the follow. */
import { randomBytes } from "node:crypto";
import { OAUTH } from "../../protocol/omb/constants.js";
import { encodeForm, type OAuthParams } from "../../protocol/omb/oauth.js";
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
 * OMB step 1 (OMB.md §3): a remote service asks for a request token. Any consumer key is
 * accepted with the empty secret, as StatusNet did; the request must be signed, fresh and
 * new. The omb_* fields are not checked here (no peer did): the authorize step does.
 */
export async function issueRequestToken(
  ctx: Pick<Context, "config" | "store">,
  params: OAuthParams,
): Promise<RequestToken> {
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
  };
  await ctx.store.saveRequestToken(t);
  return t;
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
