/**
 * The reference listener's modes and what it reports through `GET /_seen`. Shared by the
 * server and by tests (through spawn.ts), so both read the same shapes.
 */

/** How postNotice / updateProfile answer. */
export type PushMode =
  /** Verify and answer like libomb: 200 + `omb_version=…`, or 403 on OAuth failure. */
  | "ok"
  /** 500 with an HTML error body. */
  | "500"
  /** 403 `Revoked accesstoken for <listenee>` even for a valid request. */
  | "403"
  /** Never answer; the connection stays open until the client gives up. */
  | "hang"
  /** Destroy the connection without an answer (ECONNRESET at the client). */
  | "reset"
  /** 200 with a body that lacks the success text. */
  | "wrong-body"
  /** 503 as a proxy in front of a dead service would answer (kill() for a refused connect). */
  | "down";

export type AuthorizeMode =
  /** 303 to the callback with the listener fields, exactly like libomb. */
  | "approve"
  /** 303 to the bare callback (libomb's Reject). */
  | "reject"
  /** Approve, but leave out `omb_listener` (Laconica 0.7/0.8 did; OMB.md P9). */
  | "approve-without-listener"
  /** Approve with a wrong `omb_version` in the callback. */
  | "approve-wrong-version"
  /** Approve, but put a different oauth_token into the callback. */
  | "approve-wrong-token";

/** How the request-token and access-token endpoints answer. */
export type TokenMode = "ok" | "500" | "empty";

/** How the profile page and XRDS look (for discovery failure tests). */
export type DiscoveryMode =
  | "ok"
  /** Profile page without the X-XRDS-Location header and meta tag. */
  | "no-yadis"
  /** The header points at an XRDS URL that answers 404. */
  | "no-xrds"
  /** The XRDS lacks the postNotice service. */
  | "missing-services";

export interface Modes {
  postNotice: PushMode;
  updateProfile: PushMode;
  /** When set, the postNotice/updateProfile modes revert to "ok" after this many requests. */
  pushTimes?: number;
  /** Delay every postNotice/updateProfile answer by this many ms. */
  pushDelayMs: number;
  authorize: AuthorizeMode;
  requestToken: TokenMode;
  accessToken: TokenMode;
  discovery: DiscoveryMode;
}

export const DEFAULT_MODES: Modes = {
  postNotice: "ok",
  updateProfile: "ok",
  pushDelayMs: 0,
  authorize: "approve",
  requestToken: "ok",
  accessToken: "ok",
  discovery: "ok",
};

/**
 * Body of `POST /_control`: any subset of the modes, and/or `unsubscribe` (the listener drops
 * every subscription to that listenee URI and revokes its tokens, as a user unsubscribing).
 */
export type ControlRequest = Partial<Modes> & { unsubscribe?: string };

export interface SeenRequest {
  method: string;
  path: string;
  /** Query, body and Authorization-header params together. */
  params: Record<string, string>;
  /** Whether the OAuth signature verified (null: the endpoint is not signed, or no token). */
  signatureValid: boolean | null;
  status: number;
  /** The reason for a refusal, if any. */
  error?: string;
  at: string;
}

export interface IssuedToken {
  token: string;
  secret: string;
  type: "request" | "access";
  consumerKey: string;
  /** request: issued → authorized → used; access: active → revoked. */
  state: "issued" | "authorized" | "used" | "active" | "revoked";
  /** Identifier URI of the local user (listener) the token is for. */
  listener?: string;
  /** Identifier URI of the remote listenee (after authorization). */
  listenee?: string;
}

export interface ReceivedNotice {
  listener: string[];
  listenee: string;
  params: Record<string, string>;
  at: string;
}

export interface ReceivedProfile {
  listenee: string;
  params: Record<string, string>;
  at: string;
}

export interface Subscription {
  listener: string;
  listenee: string;
  consumerKey: string;
  token: string;
}

export interface Seen {
  requests: SeenRequest[];
  tokens: IssuedToken[];
  subscriptions: Subscription[];
  notices: ReceivedNotice[];
  profiles: ReceivedProfile[];
  modes: Modes;
}

export interface LocalUser {
  id: number;
  nickname: string;
  /** Identifier URI: `<base>/user/<id>`. */
  uri: string;
  /** Profile URL: `<base>/<nickname>`. */
  profile: string;
  fullname: string;
  license: string;
  homepage: string;
  bio: string;
  location: string;
  avatar: string;
}
