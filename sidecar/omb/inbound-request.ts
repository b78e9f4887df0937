import express, { type Request, type RequestHandler } from "express";
import { type OAuthParams, parseAuthorizationHeader, parseForm } from "../../protocol/oauth.js";

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

/**
 * Every parameter of a signed request, wherever the peer put it (OMB.md §10.8): the query,
 * the form body, and the oauth_* fields of an `Authorization: OAuth` header. All of them
 * are signed, so all of them go into the set that is verified; a name given twice keeps
 * the body's (or the header's) value, as OAuth.php merged them.
 */
export function oauthParams(req: Request): OAuthParams {
  const params: OAuthParams = Object.create(null);
  Object.assign(params, parseForm(rawQuery(req)));
  if (req.method !== "GET") Object.assign(params, bodyParams(req));
  const header = req.get("authorization");
  if (header) Object.assign(params, parseAuthorizationHeader(header));
  return params;
}
