/** Guards for the owner's pages: their paths and public URLs, login redirects, CSRF-checked forms. */
import cookieParser from "cookie-parser";
import type { Request, RequestHandler, Response } from "express";
import { INTERACTIONS_JSON_PATH } from "../../contract/interactions-export.js";
import type { Context } from "../context.js";
import { INBOX_JSON_PATH } from "../inbox/export.js";
import { PageError } from "../web/errors.js";
import { bodyParams, formBodyText } from "../web/form-body.js";

/** The owner's pages on the sidecar, relative to its public URL. */
export const OWNER_PATHS = {
  status: "/admin",
  login: "/admin/login",
  logout: "/admin/logout",
  unfollow: "/admin/following/remove",
  /** Approve or reject a held ActivityPub Follow (fields `actor`, `answer`). */
  followRequest: "/admin/followers/request",
  /** Follow a fediverse account (field `account`: a handle or an actor URL). */
  follow: "/admin/following/add",
  /** Approve, hide or delete a reply (fields `id`, `action`). */
  moderate: "/admin/replies/moderate",
  /** Block or unblock (fields `target`, `domain`, `unblock`). */
  block: "/admin/blocks",
  inboxJson: INBOX_JSON_PATH,
  interactionsJson: INTERACTIONS_JSON_PATH,
} as const;

/** The sidecar's public base URL without the trailing slash (it may carry a path). */
export function publicBase(ctx: Pick<Context, "config">): string {
  return ctx.config.publicUrl.replace(/\/+$/, "");
}

/** The public URL of a page of ours, e.g. the login page. */
export function publicPath(ctx: Pick<Context, "config">, path: string): string {
  return publicBase(ctx) + path;
}

/** The public URL of the request being answered (what the browser sees behind a proxy). */
export function publicRequestUrl(ctx: Pick<Context, "config">, req: Request): string {
  return publicBase(ctx) + req.originalUrl;
}

/**
 * Where to go after logging in: only a page of this sidecar, never another site (an open
 * redirect would let a link to our login page send the owner anywhere).
 */
export function safeNext(ctx: Pick<Context, "config">, next: string | undefined): string {
  const base = `${publicBase(ctx)}/`;
  return next?.startsWith(base) ? next : publicPath(ctx, OWNER_PATHS.status);
}

/** Sends the browser to the login page, coming back to `next` afterwards. */
export function redirectToLogin(ctx: Context, res: Response, next: string): void {
  res.redirect(303, `${publicPath(ctx, OWNER_PATHS.login)}?next=${encodeURIComponent(next)}`);
}

/** GET pages behind the login: a visitor who is not the owner is sent to log in first. */
export function requireOwner(ctx: Context): RequestHandler[] {
  const auth = ctx.owner;
  const check: RequestHandler = async (req, res, next) => {
    if (await auth.isOwner(req)) return next();
    redirectToLogin(ctx, res, publicRequestUrl(ctx, req));
  };
  return [cookieParser(), check];
}

/** The fields of a form posted to an owner page, as read by `ownerForm`. */
export function formFields(res: Response): Record<string, string> {
  return (res.locals.form as Record<string, string> | undefined) ?? {};
}

/**
 * For every form the owner posts (authorize decision, unfollow, logout): the body read,
 * the login required and the CSRF token checked before the handler runs.
 */
export function ownerForm(ctx: Context): RequestHandler[] {
  const auth = ctx.owner;
  const check: RequestHandler = async (req, res, next) => {
    const form = bodyParams(req);
    res.locals.form = form;
    if (!(await auth.checkCsrf(req, form.csrf))) {
      throw new PageError(
        403,
        "CSRF check",
        "This form has expired",
        "The form was not sent from this sidecar's own page, or the page is too old.",
        "Go back, reload the page and send the form again.",
      );
    }
    if (!(await auth.isOwner(req))) {
      throw new PageError(
        401,
        "login",
        "Please log in again",
        "Only the site's owner may do this, and the login has ended.",
        `Log in at ${publicPath(ctx, OWNER_PATHS.login)} and try again.`,
      );
    }
    next();
  };
  return [formBodyText(), cookieParser(), check];
}
