/** The remote-subscribe routes (site as listenee): form, discovery, tokens, callback, subscriber stored. */
import express, { type Request, type Response, Router } from "express";
import { SIDECAR_PATHS, sidecarEndpointUrl } from "../../contract/public-paths.js";
import { OAUTH, OMB, OMB_VERSION } from "../../protocol/omb/constants.js";
import { parseForm } from "../../protocol/omb/oauth.js";
import { profileFromParams } from "../../protocol/omb/profile.js";
import { isValidUri, OmbValidationError, validateProfile } from "../../protocol/omb/validate.js";
import {
  looksLikeHandle,
  ownPostObject,
  remoteFollowRedirect,
} from "../activitypub/remote-follow.js";
import { equalText } from "../auth/session.js";
import type { Context } from "../context.js";
import { notifyFollower } from "../interactions/notifications.js";
import { destinationOf, originOf } from "../store/store.js";
import type { OmbFollower } from "../store/types.js";
import { rawQuery } from "../web/form-body.js";
import { html, page } from "../web/page.js";
import { limitPerClient } from "../web/rate-limit.js";
import { attemptDeadline } from "./attempt-deadline.js";
import {
  authorizeUrl,
  fetchAccessToken,
  fetchRequestToken,
  TokenRefusedError,
} from "./consumer.js";
import {
  type CookieOptions,
  clearFlowCookie,
  lazyCookieParser,
  newBrowserNonce,
  readFlowCookie,
  setFlowCookie,
} from "./consumer-cookie.js";
import {
  attemptTooSlow,
  callbackMismatch,
  declined,
  discoveryFailed,
  identifierTaken,
  invalidCallback,
  notAUrl,
  ownSite,
  profileUnavailable,
  refuseOversized,
  serviceName,
  tokenRefused,
  tooManyAttempts,
} from "./consumer-failures.js";
import { discoverOmb } from "./discovery/yadis.js";
import { sameSiteFormOnly } from "./form-origin.js";

/**
 * The site as listenee: a visitor subscribes from their own OMB service (OMB.md §2–3, §10).
 * POST subscribe (the site's form) → discovery → request token → 303 to their service's
 * authorize page → GET finishSubscribe (the callback) → access token → subscriber stored.
 */

/** How long a started flow stays valid in the browser (the store keeps pending flows 1 h). */
const FLOW_MAX_AGE_MS = 60 * 60 * 1000;

export function subscribeRoutes(ctx: Context): Router {
  const router = Router();
  const { config } = ctx;
  const finishUrl = sidecarEndpointUrl(config.publicUrl, "finishSubscribe");
  const cookie: CookieOptions = {
    path: new URL(finishUrl).pathname,
    secure: finishUrl.startsWith("https:"),
    maxAgeMs: FLOW_MAX_AGE_MS,
  };
  const cookies = lazyCookieParser(() => ctx.store.secret("cookie"));
  const form = express.urlencoded({ extended: false, limit: "4kb", parameterLimit: 20 });
  // Each attempt makes the sidecar fetch remote URLs: bound what one client can trigger.
  const startLimit = limitPerClient({
    limit: config.subscribe.maxAttempts,
    windowMinutes: config.subscribe.windowMinutes,
    refusal: tooManyAttempts,
  });

  router.get(SIDECAR_PATHS.subscribe, (req, res) => {
    const prefill = typeof req.query.profile_url === "string" ? req.query.profile_url : "";
    res.type("html").send(subscribeFormPage(config.siteUrl, prefill, config.activitypub.enabled));
  });

  router.post(
    SIDECAR_PATHS.subscribe,
    // First: a post forged by another site must not even use up the visitor's attempts.
    sameSiteFormOnly([config.siteUrl, config.publicUrl], ctx.log),
    startLimit,
    cookies,
    form,
    async (req: Request, res: Response) => {
      const raw: unknown = req.body?.profile_url;
      const profileUrl = typeof raw === "string" ? raw.trim() : "";
      if (!isValidUri(profileUrl)) {
        if (!looksLikeHandle(profileUrl)) throw notAUrl(profileUrl);
        // A fediverse handle: off to the visitor's instance to follow our actor there (or,
        // from a post's Reply, Like or Boost button, to answer that post there).
        const post = ownPostObject(config, req.body?.uri);
        res.redirect(303, await remoteFollowRedirect(ctx, profileUrl, post));
        return;
      }
      // Each fetch is bounded on its own, but an attempt makes up to six: bound the sum too.
      const deadline = attemptDeadline(ctx.http, config.subscribe.attemptSeconds * 1000);
      const tooSlow = () =>
        attemptTooSlow(serviceName(profileUrl), config.subscribe.attemptSeconds);
      const found = await discoverOmb(deadline.http, profileUrl).catch((e: unknown) => {
        throw deadline.expired() ? tooSlow() : discoveryFailed(e, profileUrl);
      });
      const { endpoints } = found;
      const service = serviceName(found.profileUrl);
      refuseOversized(found, service);
      const { localId: _, ...urls } = endpoints;
      for (const [what, url] of [
        ["its identifier", endpoints.localId],
        ["its request-token endpoint", endpoints.request],
      ] as const) {
        if (isOurs(url, [config.siteUrl, config.publicUrl])) throw ownSite(`${what} is ${url}`);
      }
      await refuseTakeover(ctx, endpoints.localId, endpoints.postNotice, service);
      const listenee = await ctx.siteProfile.current().catch((e: unknown) => {
        ctx.log.error({ err: e }, "subscribe: no profile of our own to send");
        throw profileUnavailable((e as Error).message);
      });
      const request = await fetchRequestToken(
        deadline.http,
        endpoints.request,
        config.siteUrl,
        endpoints.localId,
      ).catch((e: unknown) => {
        if (deadline.expired()) throw tooSlow();
        throw e instanceof TokenRefusedError ? tokenRefused(e, service) : e;
      });
      const nonce = newBrowserNonce();
      await ctx.store.savePendingSubscription({
        requestToken: request.token,
        requestSecret: request.secret,
        browserNonce: nonce,
        listenerUri: endpoints.localId,
        profileUrl: found.profileUrl,
        endpoints: urls,
        createdAt: new Date().toISOString(),
      });
      setFlowCookie(res, { token: request.token, nonce }, cookie);
      ctx.log.info({ listener: endpoints.localId }, "subscribe: sending the visitor to authorize");
      res.redirect(
        303,
        authorizeUrl(endpoints.authorize, config.siteUrl, request, {
          callback: finishUrl,
          listener: endpoints.localId,
          listenee: { ...listenee, uri: config.siteUrl },
        }),
      );
    },
  );

  router.get(SIDECAR_PATHS.finishSubscribe, cookies, async (req: Request, res: Response) => {
    // Our own tolerant parser: trailing `&`, `+`, stray `%` (OMB.md P7).
    const params = parseForm(rawQuery(req));
    const flow = readFlowCookie(req);
    const pending = flow && (await ctx.store.pendingSubscription(flow.token));
    const token = params[OAUTH.token];
    if (token === undefined || token === "") {
      // libomb's Reject sends the browser to the bare callback (OMB.md §3 step 3)
      if (!pending)
        throw callbackMismatch(
          "The confirmation carries no request token, and this browser has no subscription in progress.",
        );
      clearFlowCookie(res, cookie);
      await ctx.store.deletePendingSubscription(pending.requestToken);
      throw declined(serviceName(pending.profileUrl));
    }
    if (!flow)
      throw callbackMismatch("This browser did not start a subscription here (no valid cookie).");
    if (flow.token !== token || !pending || !equalText(pending.browserNonce, flow.nonce)) {
      throw callbackMismatch(
        "The request token in the confirmation is not the one this browser's subscription is waiting for, or that subscription has expired.",
      );
    }
    const service = serviceName(pending.profileUrl);
    if (params[OMB.version] !== OMB_VERSION) {
      throw invalidCallback(
        service,
        `omb_version must be ${OMB_VERSION}, got "${params[OMB.version] ?? ""}".`,
      );
    }
    // The LocalID from discovery, whatever omb_listener says (libomb did the same; OMB.md P9).
    const profile = profileFromParams("listener", pending.listenerUri, params);
    try {
      validateProfile("listener", profile);
    } catch (e) {
      if (e instanceof OmbValidationError) throw invalidCallback(service, e.message);
      throw e;
    }
    const access = await fetchAccessToken(ctx.http, pending.endpoints.access, config.siteUrl, {
      token: pending.requestToken,
      secret: pending.requestSecret,
    }).catch((e: unknown) => {
      throw e instanceof TokenRefusedError ? tokenRefused(e, service) : e;
    });
    const subscriber: OmbFollower = {
      protocol: "omb",
      id: pending.listenerUri,
      profile,
      credentials: {
        postNoticeUrl: pending.endpoints.postNotice,
        updateProfileUrl: pending.endpoints.updateProfile,
        token: access.token,
        secret: access.secret,
      },
      since: new Date().toISOString(),
    };
    // The first follower: record the posts on the site now, so the next one reaches them.
    await ctx.syncer.baseline("first-subscriber");
    // Checked again as it is stored, in one step: another flow may have finished meanwhile.
    const saved = await ctx.store.saveFollower(subscriber, {
      pending: pending.requestToken,
      sameOriginOnly: true,
    });
    if (saved === "taken") throw takenBy(ctx, subscriber.id, pending.endpoints.postNotice, service);
    const again = saved === "replaced";
    if (saved === "added") await notifyFollower(ctx.store, subscriber);
    clearFlowCookie(res, cookie);
    ctx.log.info(
      { listener: subscriber.id, postNotice: pending.endpoints.postNotice, again },
      "subscribe: new subscriber",
    );
    res.type("html").send(successPage(config.siteUrl, profile.nickname, service, profile.profile));
  });

  return router;
}

/** An existing subscriber may only be replaced through the same service (same origin). */
async function refuseTakeover(
  ctx: Context,
  uri: string,
  postNoticeUrl: string,
  service: string,
): Promise<void> {
  const existing = await ctx.store.follower(uri);
  if (existing && originOf(destinationOf(existing).url) !== originOf(postNoticeUrl))
    throw takenBy(ctx, uri, postNoticeUrl, service);
}

function takenBy(ctx: Context, uri: string, postNoticeUrl: string, service: string): Error {
  ctx.log.warn(
    { listener: uri, attempted: postNoticeUrl },
    "subscribe: refused, this identifier already subscribes through another service",
  );
  return identifierTaken(uri, service);
}

/** True when `url` lies under one of our own base URLs (the site or the sidecar). */
function isOurs(url: string, bases: string[]): boolean {
  try {
    const href = new URL(url).href;
    return bases.some((b) => {
      const base = new URL(b).href;
      return href.startsWith(base) || `${href}/` === base;
    });
  } catch {
    return false;
  }
}

function subscribeFormPage(siteUrl: string, prefill: string, handles: boolean): string {
  const field = handles
    ? html`<label>Your profile URL or @you@your.instance <input type="text" name="profile_url" required value="${prefill}" placeholder="https://identi.ca/you or @you@your.instance" autocapitalize="none" spellcheck="false"></label>`
    : html`<label>Your profile URL <input type="url" name="profile_url" required value="${prefill}" placeholder="https://identi.ca/you"></label>`;
  const intro = handles
    ? "Type the address of your profile on your own OpenMicroBlogging service (a Laconica or StatusNet site), or your fediverse handle (@you@your.instance). You will be asked there to confirm."
    : "Type the address of your profile on your own OpenMicroBlogging service (a Laconica or StatusNet site). You will be asked there to confirm.";
  return page(
    "Subscribe",
    html`<h1>Subscribe to ${siteUrl}</h1>
<p>${intro}</p>
<form method="post">
${field}
<button type="submit">Subscribe</button></form>`,
  );
}

function successPage(
  siteUrl: string,
  nickname: string,
  service: string,
  profileUrl: string,
): string {
  return page(
    "Subscribed",
    html`<h1>You are subscribed</h1>
<p><bdi>${nickname}</bdi> on ${service} now receives the posts of <a href="${siteUrl}">${siteUrl}</a>.</p>
<p><a href="${siteUrl}">Back to the site</a> · <a href="${profileUrl}">Your profile on ${service}</a></p>`,
  );
}
