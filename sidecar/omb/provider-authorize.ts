/** Checks an inbound OMB authorize request, and builds the callback URL once the owner accepts. */
import { OAUTH, OMB, OMB_VERSION, profileParam } from "../../protocol/omb/constants.js";
import { isLicenseCompatible } from "../../protocol/omb/license.js";
import { encodeForm, type OAuthParams } from "../../protocol/omb/oauth.js";
import { type OmbProfile, profileFromParams, profileToParams } from "../../protocol/omb/profile.js";
import { appendQuery } from "../../protocol/omb/url-query.js";
import { isValidUri, OmbValidationError, validateProfile } from "../../protocol/omb/validate.js";
import type { Context } from "../context.js";
import type { RequestToken } from "../store/types.js";
import { PageError } from "../web/errors.js";
import { siteLicense } from "./provider-profile.js";

/** A checked authorization request: who the owner is asked to follow, and where to go back. */
export interface AuthorizeRequest {
  token: RequestToken;
  listenee: OmbProfile;
  callback: string;
  /** The owner already follows this author: accepting replaces the old connection. */
  alreadyFollowing: boolean;
}

const ADVICE = "Go back to the other site and start the subscription again.";

function refuse(step: string, detail: string, advice = ADVICE): never {
  throw new PageError(400, step, "This subscription request cannot be accepted", detail, advice);
}

/** Same identity despite case in scheme and host, or a default port written out. */
function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/**
 * Checks the query of an authorize request (OMB.md §3 step 2, §5), the same way for the
 * page shown and for the owner's decision posted back. The signature is never required
 * (libomb never checked it; OMB.md P6), but the request token must exist unused.
 */
export async function readAuthorizeRequest(
  ctx: Pick<Context, "config" | "store" | "siteProfile">,
  params: OAuthParams,
): Promise<AuthorizeRequest> {
  const token = await ctx.store.requestToken(params[OAUTH.token] ?? "");
  if (!token) refuse("request token", "The request token is unknown or has expired.");
  if (token.state !== "issued") {
    refuse("request token", `The request token was already ${token.state}.`);
  }
  if (params[OMB.version] !== OMB_VERSION) {
    refuse("omb_version", `omb_version must be exactly ${OMB_VERSION}.`);
  }
  const listener = params[OMB.listener] ?? "";
  if (!sameUrl(listener, ctx.config.siteUrl)) {
    refuse(
      "omb_listener",
      `The request is for the listener "${listener}", but this site is ${ctx.config.siteUrl}.`,
    );
  }
  const listenee = profileFromParams("listenee", params[OMB.listenee] ?? "", params);
  try {
    validateProfile("listenee", listenee, { requireLicense: true });
  } catch (e) {
    if (e instanceof OmbValidationError) refuse(e.field, e.message);
    throw e;
  }
  if (sameUrl(listenee.uri, ctx.config.siteUrl) || sameUrl(listenee.profile, ctx.config.siteUrl)) {
    refuse("omb_listenee", "That is this site itself: it cannot follow itself.");
  }
  const callback = params[OAUTH.callback] ?? "";
  if (!isValidUri(callback)) {
    refuse(OAUTH.callback, `oauth_callback must be a valid http(s) URL, got "${callback}".`);
  }
  const ours = await siteLicense(ctx);
  if (!isLicenseCompatible(listenee.license, ours, ctx.config.licenseMode)) {
    refuse(
      profileParam("listenee", "license"),
      `Their license ${listenee.license} does not allow republishing under this site's license ${ours}.`,
      "Only authors whose license fits the site's can be followed (licenseMode in the config).",
    );
  }
  const alreadyFollowing = (await ctx.store.followedAccount(listenee.uri)) !== undefined;
  return { token, listenee, callback, alreadyFollowing };
}

/**
 * Where the browser goes after the owner accepted: the callback with the request token and
 * the listener fields (OMB.md §3 step 3): `omb_listener`, nickname, profile and license
 * always, the other profile fields only when set.
 */
export function acceptedCallbackUrl(
  callback: string,
  token: string,
  siteUrl: string,
  own: OmbProfile,
): string {
  const fields = profileToParams("listener", own, { onlySet: true });
  fields[profileParam("listener", "nickname")] = own.nickname;
  fields[profileParam("listener", "profile")] = own.profile || siteUrl;
  fields[profileParam("listener", "license")] = own.license;
  // A relative or odd avatar/homepage would fail the remote's URL check: leave it out.
  for (const f of ["avatar", "homepage"] as const) {
    const name = profileParam("listener", f);
    if (fields[name] !== undefined && !isValidUri(fields[name] ?? "")) delete fields[name];
  }
  return appendQuery(
    callback,
    encodeForm({
      [OAUTH.token]: token,
      [OMB.version]: OMB_VERSION,
      [OMB.listener]: siteUrl,
      ...fields,
    }),
  );
}
