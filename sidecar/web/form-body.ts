/** Form bodies as every sidecar endpoint reads them: as text, parsed by us, last name wins. */
import express, { type Request, type RequestHandler } from "express";
import { type OAuthParams, parseForm } from "../../protocol/omb/oauth.js";

/** Largest form body accepted on the OMB endpoints (a notice is a few kB at most). */
export const OMB_BODY_LIMIT = "64kb";

/**
 * Reads any request body as text, whatever its Content-Type: OMB peers send form bodies
 * with unreliable headers (OMB.md §3), and we parse them ourselves with `parseForm` so a
 * repeated name gives one string (last wins, as PHP did) instead of an array.
 */
export function formBodyText(): RequestHandler {
  return express.text({ type: () => true, limit: OMB_BODY_LIMIT });
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
