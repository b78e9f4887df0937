/** Collects a signed request's OAuth params from its query, form body and Authorization header. */
import type { Request } from "express";
import { type OAuthParams, parseAuthorizationHeader, parseForm } from "../../protocol/omb/oauth.js";
import { bodyParams, rawQuery } from "../web/form-body.js";

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
