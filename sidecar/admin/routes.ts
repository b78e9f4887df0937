/** The owner's routes: login, the status page, unfollowing, and the signed inbox JSON for remote builds. */
import { type Request, type RequestHandler, Router } from "express";
import {
  HOOK_SIGNATURE_HEADER,
  HOOK_TIMESTAMP_HEADER,
  verifyHook,
} from "../../contract/hook-signature.js";
import { INTERACTIONS_JSON_SIGNED_TEXT } from "../../contract/interactions-export.js";
import type { ApRuntime } from "../activitypub/federation.js";
import { FollowRequestError } from "../activitypub/follow-requests.js";
import { FollowError } from "../activitypub/following.js";
import { apRuntime } from "../activitypub/wing.js";
import { loginRoutes } from "../auth/login.js";
import { formFields, OWNER_PATHS, ownerForm, publicPath, requireOwner } from "../auth/owner.js";
import type { Context } from "../context.js";
import { unfollow } from "../following/unfollow.js";
import { INBOX_JSON_SIGNED_TEXT, inboxExport } from "../inbox/export.js";
import { interactionsExport } from "../interactions/export.js";
import { InteractionError } from "../interactions/interactions.js";
import {
  type BlockTarget,
  block,
  blockTarget,
  moderateReply,
  REPLY_ACTIONS,
  type ReplyAction,
  unblock,
} from "../interactions/moderation.js";
import { PageError, ProtocolError } from "../web/errors.js";
import { REFRESH_SECONDS, renderStatus } from "./status-page.js";

/** The ActivityPub wing of a running sidecar, or the page saying it is off (so it `cannot`). */
function runtimeFor(ctx: Context, cannot: string, back: string): ApRuntime {
  const runtime = apRuntime(ctx);
  if (runtime) return runtime;
  throw new PageError(
    409,
    "ActivityPub off",
    "ActivityPub is off",
    `This sidecar has \`activitypub.enabled\` false, so it ${cannot}.`,
    back,
  );
}

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
    const back = "Go back to the status page and answer the request again.";
    const runtime = runtimeFor(ctx, "holds no follow requests", back);
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

  router.post(OWNER_PATHS.follow, ...ownerForm(ctx), async (_req, res) => {
    const back = "Go back to the status page and try again.";
    const runtime = runtimeFor(ctx, "cannot follow fediverse accounts", back);
    try {
      await runtime.following.follow(formFields(res).account ?? "");
    } catch (e) {
      if (e instanceof FollowError)
        throw new PageError(
          422,
          "cannot follow",
          "That account cannot be followed",
          e.message,
          back,
        );
      throw e;
    }
    res.redirect(303, `${publicPath(ctx, OWNER_PATHS.status)}#following`);
  });

  router.post(OWNER_PATHS.moderate, ...ownerForm(ctx), async (_req, res) => {
    const { id = "", action = "" } = formFields(res);
    const back = "Go back to the status page; the reply may have changed meanwhile.";
    if (!REPLY_ACTIONS.includes(action as ReplyAction)) {
      throw new PageError(
        400,
        "no action",
        "No action given",
        "The form said neither approve, hide nor delete.",
        back,
      );
    }
    try {
      await moderateReply(ctx, id, action as ReplyAction);
    } catch (e) {
      if (e instanceof InteractionError)
        throw new PageError(404, "no such reply", "That reply is gone", e.message, back);
      throw e;
    }
    res.redirect(303, `${publicPath(ctx, OWNER_PATHS.status)}#replies`);
  });

  router.post(OWNER_PATHS.block, ...ownerForm(ctx), async (_req, res) => {
    const { target: input = "", domain, unblock: lift } = formFields(res);
    let target: BlockTarget;
    try {
      target = blockTarget(input, domain === "1");
    } catch (e) {
      if (e instanceof InteractionError) {
        throw new PageError(
          400,
          "not blockable",
          "Nothing to block",
          `${e.message}.`,
          "Type an actor URL (https://…), or a domain and tick “the whole domain”.",
        );
      }
      throw e;
    }
    if (lift === "1") await unblock(ctx, target);
    else await block(ctx, target);
    res.redirect(303, `${publicPath(ctx, OWNER_PATHS.status)}#blocks`);
  });

  // Signed like the deploy hook, over the text "GET <path>": a build that holds
  // FEDERATION_HOOK_SECRET can read the exports, nobody else. Read-only, so a replay inside
  // the five-minute window only repeats an answer; signatures are not remembered.
  const signedExport = (
    what: string,
    signedText: string,
    build: (req: Request) => Promise<unknown>,
  ) =>
    (async (req, res) => {
      const secret = ctx.config.secrets.hookSecret;
      if (!secret) {
        throw new ProtocolError(
          503,
          `The ${what} endpoint needs FEDERATION_HOOK_SECRET set in the sidecar's environment.`,
        );
      }
      const check = verifyHook(
        secret,
        signedText,
        req.get(HOOK_TIMESTAMP_HEADER),
        req.get(HOOK_SIGNATURE_HEADER),
      );
      if (!check.ok) throw new ProtocolError(401, `${what} refused: ${check.reason}`);
      res.set("cache-control", "no-store");
      res.json(await build(req));
    }) satisfies RequestHandler;
  router.get(
    OWNER_PATHS.inboxJson,
    signedExport("inbox", INBOX_JSON_SIGNED_TEXT, (req) => {
      const limit = Number(req.query.limit);
      return inboxExport(ctx.store, Number.isInteger(limit) && limit > 0 ? limit : undefined);
    }),
  );
  router.get(
    OWNER_PATHS.interactionsJson,
    signedExport("interactions", INTERACTIONS_JSON_SIGNED_TEXT, () =>
      interactionsExport(ctx.store, ctx.config.publicUrl),
    ),
  );
  return router;
}
