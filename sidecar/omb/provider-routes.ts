/** The sidecar as OAuth provider: request/access token, authorize, postNotice and updateProfile routes. */
import cookieParser from "cookie-parser";
import { type Request, type Response, Router } from "express";
import { SIDECAR_PATHS } from "../../contract/public-paths.js";
import { OMB_SUCCESS_BODY } from "../../protocol/omb/constants.js";
import { parseForm } from "../../protocol/omb/oauth.js";
import {
  formFields,
  ownerForm,
  publicPath,
  publicRequestUrl,
  redirectToLogin,
} from "../auth/owner.js";
import type { Context } from "../context.js";
import { PageError, ProtocolError } from "../web/errors.js";
import { formBodyText, rawQuery } from "../web/form-body.js";
import { limitPerClient } from "../web/rate-limit.js";
import { receiveNotice } from "./inbound-notice.js";
import { receiveProfile } from "./inbound-profile.js";
import { oauthParams } from "./inbound-request.js";
import { acceptedCallbackUrl, readAuthorizeRequest } from "./provider-authorize.js";
import { askerEvidence } from "./provider-evidence.js";
import { renderAuthorizePage } from "./provider-page.js";
import { ownProfile } from "./provider-profile.js";
import {
  issueAccessToken,
  issueRequestToken,
  requestSource,
  tokenReply,
} from "./provider-tokens.js";

/**
 * The site as listener: the sidecar is the OAuth provider other OMB services talk to
 * (OMB.md §3–4) at the paths the plugin's XRDS names. Machine endpoints answer plain
 * text; the authorize page is for the owner's browser and needs the login.
 */
export function providerRoutes(ctx: Context): Router {
  const router = Router();
  const auth = ctx.owner;

  // Anyone can sign a request-token call (the consumer secret is empty): bound the writes.
  const requestTokenLimit = limitPerClient({
    limit: ctx.config.inbound.requestTokensPerMinute,
    windowMinutes: 1,
    refusal: () => new ProtocolError(429, "Too many request tokens; retry in a minute."),
  });
  // Checked before the body is read, so a flood of pushes costs little.
  const pushLimit = limitPerClient({
    limit: ctx.config.inbound.pushesPerMinute,
    windowMinutes: 1,
    refusal: () =>
      new ProtocolError(
        429,
        "Too many notices and profile updates from this address; retry in a minute.",
      ),
    quiet: true,
  });

  const plain = (res: Response, body: string) => res.status(200).type("text/plain").send(body);

  router.post(SIDECAR_PATHS.requestToken, requestTokenLimit, formBodyText(), async (req, res) => {
    const t = await issueRequestToken(ctx, oauthParams(req), requestSource(clientAddress(req)));
    ctx.log.info({ consumerKey: t.consumerKey }, "request token issued");
    plain(res, tokenReply(t.token, t.secret));
  });

  router.get(SIDECAR_PATHS.authorize, cookieParser(), async (req, res) => {
    const query = rawQuery(req);
    const request = await readAuthorizeRequest(ctx, parseForm(query));
    if (!(await auth.isOwner(req))) {
      redirectToLogin(ctx, res, publicRequestUrl(ctx, req));
      return;
    }
    const page = renderAuthorizePage({
      listenee: request.listenee,
      action: publicPath(ctx, SIDECAR_PATHS.authorize),
      csrf: await auth.csrfToken(req, res),
      request: query,
      alreadyFollowing: request.alreadyFollowing,
      callbackHost: hostOf(request.callback),
      evidence: await askerEvidence(ctx, request.token, request.listenee),
    });
    res.status(200).type("html").send(page);
  });

  router.post(SIDECAR_PATHS.authorize, ...ownerForm(ctx), async (_req, res) => {
    const form = formFields(res);
    const request = await readAuthorizeRequest(ctx, parseForm(form.request ?? ""));
    if (form.decision !== "accept") {
      await ctx.store.deleteRequestToken(request.token.token);
      ctx.log.info({ listenee: request.listenee.uri }, "owner rejected a follow");
      res.redirect(303, request.callback);
      return;
    }
    const own = await ownProfile(ctx);
    if (!own) {
      throw new PageError(
        503,
        "own profile",
        "The site's profile is not known yet",
        "The sidecar has not read the site's manifest, so it cannot tell the other site who you are.",
        'Set "manifest" in the sidecar config to the published manifest.json (URL or built file) and try again.',
      );
    }
    // Issued → authorized in one step: a second click must not authorize twice.
    const token = await ctx.store.authorizeRequestToken(request.token.token, request.listenee);
    if (!token) {
      throw new PageError(
        409,
        "request token",
        "Already answered",
        "This request was already accepted or rejected.",
        "Nothing more to do here.",
      );
    }
    ctx.log.info({ listenee: request.listenee.uri }, "owner accepted a follow");
    res.redirect(303, acceptedCallbackUrl(request.callback, token.token, ctx.config.siteUrl, own));
  });

  router.post(SIDECAR_PATHS.access, formBodyText(), async (req, res) => {
    const { access, following } = await issueAccessToken(ctx, oauthParams(req));
    ctx.log.info({ listenee: following.id, consumerKey: access.consumerKey }, "now following");
    ctx.events.emit("following", following.id);
    plain(res, tokenReply(access.token, access.secret));
  });

  router.post(SIDECAR_PATHS.postNotice, pushLimit, formBodyText(), async (req, res) => {
    await receiveNotice(ctx, oauthParams(req));
    plain(res, OMB_SUCCESS_BODY);
  });

  router.post(SIDECAR_PATHS.updateProfile, pushLimit, formBodyText(), async (req, res) => {
    await receiveProfile(ctx, oauthParams(req));
    plain(res, OMB_SUCCESS_BODY);
  });

  for (const path of [
    SIDECAR_PATHS.requestToken,
    SIDECAR_PATHS.access,
    SIDECAR_PATHS.postNotice,
    SIDECAR_PATHS.updateProfile,
  ]) {
    router.get(path, () => {
      throw new ProtocolError(405, "This OMB endpoint takes a signed POST.");
    });
  }
  return router;
}

/** The peer's address (Express's `trust proxy` decides whether a forwarded one counts). */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}

/** The host to name on the page; PEAR-valid URLs can still be odd (port 99999). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
