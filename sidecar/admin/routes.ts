/** The owner's routes: login, the status page, unfollowing, and the signed inbox JSON for remote builds. */
import { Router } from "express";
import {
  HOOK_SIGNATURE_HEADER,
  HOOK_TIMESTAMP_HEADER,
  verifyHook,
} from "../../contract/hook-signature.js";
import { FollowRequestError } from "../activitypub/follow-requests.js";
import { apRuntime } from "../activitypub/wing.js";
import { loginRoutes } from "../auth/login.js";
import { formFields, OWNER_PATHS, ownerForm, publicPath, requireOwner } from "../auth/owner.js";
import type { Context } from "../context.js";
import { unfollow } from "../following/unfollow.js";
import { INBOX_JSON_SIGNED_TEXT, inboxExport } from "../inbox/export.js";
import { PageError, ProtocolError } from "../web/errors.js";
import { REFRESH_SECONDS, renderStatus } from "./status-page.js";

/**
 * The owner's pages: login/logout, the status page (who follows the site, whom it follows,
 * how deliveries go, what arrived) and the inbox as JSON for a build elsewhere.
 */
export function adminRoutes(ctx: Context): Router {
  const router = Router();
  const auth = ctx.owner;
  router.use(loginRoutes(ctx));

  router.get(OWNER_PATHS.status, ...requireOwner(ctx), async (req, res) => {
    const csrf = await auth.csrfToken(req, res);
    const { body, refresh } = await renderStatus(ctx, csrf);
    // While deliveries are under way the page reloads itself (the Refresh header works as
    // <meta http-equiv="refresh"> does, and needs no script under the CSP).
    if (refresh) res.set("Refresh", String(REFRESH_SECONDS));
    res.status(200).type("html").send(body);
  });

  router.post(OWNER_PATHS.unfollow, ...ownerForm(ctx), async (_req, res) => {
    await unfollow(ctx, formFields(res).uri ?? "");
    res.redirect(303, publicPath(ctx, OWNER_PATHS.status));
  });

  router.post(OWNER_PATHS.followRequest, ...ownerForm(ctx), async (_req, res) => {
    const { actor = "", answer } = formFields(res);
    const runtime = apRuntime(ctx);
    const back = "Go back to the status page and answer the request again.";
    if (!runtime) {
      throw new PageError(
        409,
        "ActivityPub off",
        "ActivityPub is off",
        "This sidecar has `activitypub.enabled` false, so it holds no follow requests.",
        back,
      );
    }
    if (answer !== "approve" && answer !== "reject") {
      throw new PageError(
        400,
        "no answer",
        "No answer given",
        "The form said neither approve nor reject.",
        back,
      );
    }
    try {
      await runtime.requests[answer](actor);
    } catch (e) {
      if (e instanceof FollowRequestError) {
        throw new PageError(404, "no such request", "That follow request is gone", e.message, back);
      }
      throw e;
    }
    res.redirect(303, publicPath(ctx, OWNER_PATHS.status));
  });

  // Signed like the deploy hook, over the text "GET /admin/inbox.json": a build that holds
  // FEDERATION_HOOK_SECRET can read it, nobody else. Read-only, so a replay inside the
  // five-minute window only repeats an answer; signatures are not remembered.
  router.get(OWNER_PATHS.inboxJson, async (req, res) => {
    const secret = ctx.config.secrets.hookSecret;
    if (!secret) {
      throw new ProtocolError(
        503,
        "The inbox endpoint needs FEDERATION_HOOK_SECRET set in the sidecar's environment.",
      );
    }
    const check = verifyHook(
      secret,
      INBOX_JSON_SIGNED_TEXT,
      req.get(HOOK_TIMESTAMP_HEADER),
      req.get(HOOK_SIGNATURE_HEADER),
    );
    if (!check.ok) throw new ProtocolError(401, `inbox refused: ${check.reason}`);
    const limit = Number(req.query.limit);
    res.set("cache-control", "no-store");
    res.json(
      await inboxExport(ctx.store, Number.isInteger(limit) && limit > 0 ? limit : undefined),
    );
  });
  return router;
}
