import { type Params, rfc3986, signatureValid } from "./oauth.js";
import type { ListenerState } from "./state.js";
import type { LocalUser } from "./types.js";

/**
 * The OAuth provider side of a subscription, as the libomb listener does it (OMB.md §3,
 * §10.3–5): request token, user authorization (auto-approved or rejected by mode), access
 * token. Each handler returns what to answer and what to record.
 */

export const OMB_VERSION = "http://openmicroblogging.org/protocol/0.1";

export interface Incoming {
  method: string;
  path: string;
  /** The canonical URL of the endpoint (our base + path, no query): what is signed. */
  url: string;
  /** Query, body and Authorization-header params together. */
  params: Params;
}

export type Reply =
  | {
      status: number;
      headers?: Record<string, string>;
      body: string;
      signatureValid: boolean | null;
      error?: string;
    }
  | { hang: true; signatureValid: boolean | null }
  | { reset: true; signatureValid: boolean | null };

/** StatusNet answered token requests with PHP's default content type. */
const PHP_HTML = { "Content-Type": "text/html; charset=UTF-8" };

export function text(
  status: number,
  body: string,
  signatureValid: boolean | null,
  error?: string,
): Reply {
  return {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
    body,
    signatureValid,
    error,
  };
}

function tokenReply(token: string, secret: string, signatureValid: boolean): Reply {
  return {
    status: 200,
    headers: PHP_HTML,
    body: `oauth_token=${token}&oauth_token_secret=${secret}`,
    signatureValid,
  };
}

export function requestToken(state: ListenerState, req: Incoming): Reply {
  const mode = state.modes.requestToken;
  const check = state.checkOAuth("POST", req.url, req.params, null);
  if (mode === "500") return text(500, "Internal error (mode 500)", check.signatureValid, "mode");
  if (mode === "empty") return { status: 200, headers: PHP_HTML, body: "", signatureValid: null };
  if (!check.ok)
    return text(500, `OAuthException: ${check.reason}`, check.signatureValid, check.reason);
  // libomb does not check omb_* here; remember whom the token is for when it names a user.
  const listener = state.userByUri(req.params.omb_listener)?.uri;
  const t = state.issue({
    type: "request",
    consumerKey: req.params.oauth_consumer_key ?? "",
    state: "issued",
    ...(listener ? { listener } : {}),
  });
  return tokenReply(t.token, t.secret, check.signatureValid);
}

const REQUIRED_LISTENEE = [
  "omb_listenee",
  "omb_listenee_profile",
  "omb_listenee_nickname",
  "omb_listenee_license",
] as const;

/** The checks of libomb's provider; it never checks the signature (P6), we only record it. */
export function authorize(state: ListenerState, req: Incoming): Reply {
  const p = req.params;
  const token = p.oauth_token === undefined ? undefined : state.tokens.get(p.oauth_token);
  const valid =
    token?.type === "request" ? signatureValid(req.method, req.url, p, token.secret) : null;
  const refuse = (why: string) => text(400, `OMB_Exception: ${why}`, valid, why);
  if (token?.type !== "request" || token.state !== "issued")
    return refuse("unknown or used request token");
  if (p.omb_version !== OMB_VERSION) return refuse("wrong omb_version");
  const user = state.userByUri(p.omb_listener);
  if (!user) return refuse(`omb_listener ${p.omb_listener ?? "(missing)"} is not a local user`);
  for (const name of REQUIRED_LISTENEE) if (!p[name]) return refuse(`missing ${name}`);
  const callback = p.oauth_callback ?? "";
  if (!/^https?:\/\/[^\s/?#]+/i.test(callback)) return refuse("oauth_callback is not a valid URL");
  const sep = callback.includes("?") ? "&" : "?";
  const mode = state.modes.authorize;
  if (mode === "reject") {
    state.tokens.delete(token.token);
    return { status: 303, headers: { Location: callback }, body: "", signatureValid: valid };
  }
  state.tokens.set(token.token, {
    ...token,
    state: "authorized",
    listener: user.uri,
    listenee: p.omb_listenee ?? "",
  });
  const fields = callbackFields(user, mode === "approve-without-listener");
  fields.push(["oauth_token", mode === "approve-wrong-token" ? "0".repeat(32) : token.token]);
  fields.push(["omb_version", mode === "approve-wrong-version" ? `${OMB_VERSION}x` : OMB_VERSION]);
  // libomb appends `k=v&` for each field, leaving the trailing `&` (OMB.md P7).
  const query = fields.map(([k, v]) => `${k}=${rfc3986(v)}&`).join("");
  return {
    status: 303,
    headers: { Location: `${callback}${sep}${query}` },
    body: "",
    signatureValid: valid,
  };
}

/** omb_listener, then the non-empty profile fields in libomb's order. */
function callbackFields(user: LocalUser, withoutListener: boolean): [string, string][] {
  const fields: [string, string][] = withoutListener ? [] : [["omb_listener", user.uri]];
  const order = [
    "profile",
    "nickname",
    "license",
    "fullname",
    "homepage",
    "bio",
    "location",
    "avatar",
  ] as const;
  for (const f of order) if (user[f] !== "") fields.push([`omb_listener_${f}`, user[f]]);
  return fields;
}

export function accessToken(state: ListenerState, req: Incoming): Reply {
  const mode = state.modes.accessToken;
  const check = state.checkOAuth("POST", req.url, req.params, "request");
  if (mode === "500") return text(500, "Internal error (mode 500)", check.signatureValid, "mode");
  if (mode === "empty") return { status: 200, headers: PHP_HTML, body: "", signatureValid: null };
  // StatusNet's store returns null for a token that is not an authorized request token of
  // this consumer; OAuth.php prints that as an empty 200 body (OMB.md §10.5).
  const emptyBody = (why: string): Reply => ({
    status: 200,
    headers: PHP_HTML,
    body: "",
    signatureValid: check.signatureValid,
    error: why,
  });
  if (!check.ok && check.kind === "token") return emptyBody(check.reason);
  if (!check.ok)
    return text(500, `OAuthException: ${check.reason}`, check.signatureValid, check.reason);
  const request = check.token;
  if (request?.state !== "authorized" || !request.listener || !request.listenee)
    return emptyBody("request token not authorized");
  state.tokens.set(request.token, { ...request, state: "used" });
  const access = state.issue({
    type: "access",
    consumerKey: request.consumerKey,
    state: "active",
    listener: request.listener,
    listenee: request.listenee,
  });
  state.subscribe({
    listener: request.listener,
    listenee: request.listenee,
    consumerKey: request.consumerKey,
    token: access.token,
  });
  return tokenReply(access.token, access.secret, check.signatureValid);
}
