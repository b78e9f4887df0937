import type { ListenerState } from "./state.js";
import { type Incoming, OMB_VERSION, type Reply, text } from "./tokens.js";

/**
 * postNotice and updateProfile as the libomb listener answers them (OMB.md §10.6–9), with the
 * misbehaviour selected by the push modes layered on top.
 */

const SUCCESS: Omit<Extract<Reply, { status: number }>, "signatureValid"> = {
  status: 200,
  headers: { "Content-Type": "text/plain;charset=UTF-8" },
  body: `omb_version=${OMB_VERSION}`,
};

export function push(
  state: ListenerState,
  kind: "postNotice" | "updateProfile",
  req: Incoming,
): Reply {
  const p = req.params;
  const listenee = p.omb_listenee ?? "";
  const check = state.checkOAuth("POST", req.url, p, "access");
  const valid = check.signatureValid;
  const mode = state.takePushMode(kind);
  if (mode === "hang") return { hang: true, signatureValid: valid };
  if (mode === "reset") return { reset: true, signatureValid: valid };
  if (mode === "500")
    return {
      status: 500,
      headers: { "Content-Type": "text/html; charset=UTF-8" },
      body: "<html><body><h1>500 Internal Server Error</h1></body></html>",
      signatureValid: valid,
      error: "mode 500",
    };
  if (mode === "down")
    return {
      status: 503,
      headers: { "Content-Type": "text/html" },
      body: "<html><body><h1>503 Service Unavailable</h1></body></html>",
      signatureValid: valid,
      error: "mode down",
    };
  const revoked = (why: string) =>
    text(
      403,
      `OMB_RemoteServiceException: Handler for ${OMB_VERSION}/${kind}: Revoked accesstoken for ${listenee}`,
      valid,
      why,
    );
  if (mode === "403") return revoked("mode 403");
  if (!check.ok) return revoked(check.reason);
  const token = check.token;
  if (token?.state !== "active") return revoked("access token revoked");
  if (p.omb_version !== OMB_VERSION) return text(400, "Wrong OMB version", valid, "omb_version");
  // libomb forgot to bind the token to its listenee (OMB.md P5); we enforce it.
  if (token.listenee !== listenee)
    return text(403, `No subscriber for ${listenee}`, valid, "token is for another listenee");
  const listeners = state.subscriptions
    .filter((s) => s.listenee === listenee && s.consumerKey === token.consumerKey)
    .map((s) => s.listener);
  const at = new Date().toISOString();
  if (kind === "postNotice") {
    if (!p.omb_notice || p.omb_notice_content === undefined)
      return text(400, "Missing omb_notice or omb_notice_content", valid, "missing notice fields");
    state.notices.push({ listener: listeners, listenee, params: ombOnly(p), at });
  } else {
    state.profiles.push({ listenee, params: ombOnly(p), at });
  }
  if (mode === "wrong-body")
    return {
      status: 200,
      headers: { "Content-Type": "text/plain" },
      body: "ok",
      signatureValid: valid,
    };
  return { ...SUCCESS, signatureValid: valid };
}

function ombOnly(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith("omb_")));
}
