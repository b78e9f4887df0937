/** Form bodies as every sidecar endpoint reads them: as text, parsed by us, last name wins. */
import express, { type Request, type RequestHandler } from "express";
import { type OAuthParams, parseForm } from "../../protocol/omb/oauth.js";
import { PageError } from "./errors.js";

/** Largest form body accepted on the OMB endpoints (a notice is a few kB at most). */
export const OMB_BODY_LIMIT = "64kb";

/**
 * Most fields in one form body (query string apart). The largest real one, an OMB
 * updateprofile with its OAuth parameters, has about 20; more is refused before parsing.
 */
export const MAX_FORM_FIELDS = 100;

/**
 * Reads any request body as text, whatever its Content-Type: OMB peers send form bodies
 * with unreliable headers (OMB.md §3), and we parse them ourselves with `parseForm` so a
 * repeated name gives one string (last wins, as PHP did) instead of an array. A body of
 * more than MAX_FORM_FIELDS fields is answered 413.
 */
export function formBodyText(): RequestHandler {
  const text = express.text({ type: () => true, limit: OMB_BODY_LIMIT });
  return (req, res, next) =>
    text(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (typeof req.body === "string" && fieldCountOver(req.body, MAX_FORM_FIELDS)) {
        return next(
          new PageError(
            413,
            "reading the request",
            "Request too large",
            `The form body has more than ${MAX_FORM_FIELDS} fields; a real OMB request or form here has about 20, so it is refused unread.`,
            "Send only the fields the request needs.",
          ),
        );
      }
      next();
    });
}

/** Whether `body` has more than `max` `&`-separated fields; stops counting at max + 1. */
function fieldCountOver(body: string, max: number): boolean {
  let fields = 1;
  for (let at = body.indexOf("&"); at !== -1; at = body.indexOf("&", at + 1)) {
    if (++fields > max) return true;
  }
  return false;
}

/** The raw query string of a request (without `?`), or "". */
export function rawQuery(req: Request): string {
  const at = req.originalUrl.indexOf("?");
  return at === -1 ? "" : req.originalUrl.slice(at + 1);
}

/** The parsed form body of a request read with `formBodyText`. */
export function bodyParams(req: Request): OAuthParams {
  return typeof req.body === "string" ? parseForm(req.body) : {};
}
