/** The owner's login and logout routes, failed attempts rate-limited per client address. */
import cookieParser from "cookie-parser";
import { type Request, type Response, Router } from "express";
import type { Context } from "../context.js";
import { PageError } from "../web/errors.js";
import { bodyParams, formBodyText } from "../web/form-body.js";
import { limitPerClient } from "../web/rate-limit.js";
import { renderLoginPage } from "./login-page.js";
import { OWNER_PATHS, ownerForm, publicPath, safeNext } from "./owner.js";
import { verifyPassword } from "./password.js";

/**
 * The owner's login and logout. Failed attempts are limited per client address
 * (`login.maxAttempts` per `login.windowMinutes`; successful logins do not count), on top
 * of scrypt making each guess slow.
 */
export function loginRoutes(ctx: Context): Router {
  const router = Router();
  const auth = ctx.owner;
  const action = publicPath(ctx, OWNER_PATHS.login);

  const show = async (
    req: Request,
    res: Response,
    status: number,
    next: string,
    error?: string,
  ) => {
    const csrf = await auth.csrfToken(req, res);
    const configured = Boolean(ctx.config.secrets.ownerPasswordHash);
    res
      .status(configured ? status : 503)
      .type("html")
      .send(renderLoginPage({ action, csrf, next, error, configured }));
  };

  const limiter = limitPerClient({
    limit: ctx.config.login.maxAttempts,
    windowMinutes: ctx.config.login.windowMinutes,
    skipSuccessfulRequests: true,
    refusal: () =>
      new PageError(
        429,
        "login",
        "Too many login attempts",
        `More than ${ctx.config.login.maxAttempts} failed attempts from this address.`,
        `Wait ${ctx.config.login.windowMinutes} minutes, then try again.`,
      ),
  });

  router.get(OWNER_PATHS.login, cookieParser(), async (req, res) => {
    const next = typeof req.query.next === "string" ? req.query.next : undefined;
    await show(req, res, 200, safeNext(ctx, next));
  });

  router.post(OWNER_PATHS.login, limiter, formBodyText(), cookieParser(), async (req, res) => {
    const form = bodyParams(req);
    const next = safeNext(ctx, form.next);
    if (!(await auth.checkCsrf(req, form.csrf))) {
      await show(
        req,
        res,
        403,
        next,
        "The form expired or did not come from this page. Try again.",
      );
      return;
    }
    const hash = ctx.config.secrets.ownerPasswordHash;
    if (!hash || !(await verifyPassword(form.password ?? "", hash))) {
      ctx.log.warn({ ip: req.ip }, "owner login failed");
      await show(req, res, 401, next, "Wrong password.");
      return;
    }
    await auth.logIn(req, res);
    ctx.log.info({ ip: req.ip }, "owner logged in");
    res.redirect(303, next);
  });

  router.post(OWNER_PATHS.logout, ...ownerForm(ctx), async (req, res) => {
    await auth.logOut(req, res);
    res.redirect(303, action);
  });

  return router;
}
