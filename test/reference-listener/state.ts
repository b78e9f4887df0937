import { randomBytes } from "node:crypto";
import { type Params, signatureValid } from "./oauth.js";
import {
  type ControlRequest,
  DEFAULT_MODES,
  type IssuedToken,
  type LocalUser,
  type Modes,
  type PushMode,
  type ReceivedNotice,
  type ReceivedProfile,
  type Seen,
  type SeenRequest,
  type Subscription,
} from "./types.js";

/** libomb's window for oauth_timestamp (OMB.md §10.8). */
const TIMESTAMP_WINDOW_S = 300;

export type OAuthCheck =
  | { ok: true; token: IssuedToken | undefined; signatureValid: boolean }
  | {
      ok: false;
      /** "token": unknown token, or one of another type or consumer; "oauth": anything else. */
      kind: "token" | "oauth";
      reason: string;
      signatureValid: boolean | null;
      token: IssuedToken | undefined;
    };

/** Everything the listener remembers, in memory: it lives as long as one test. */
export class ListenerState {
  readonly tokens = new Map<string, IssuedToken>();
  readonly subscriptions: Subscription[] = [];
  readonly requests: SeenRequest[] = [];
  readonly notices: ReceivedNotice[] = [];
  readonly profiles: ReceivedProfile[] = [];
  private readonly nonces = new Set<string>();
  private pushesInMode = 0;
  modes: Modes;

  constructor(
    readonly base: string,
    readonly users: LocalUser[],
    modes: Partial<Modes> = {},
  ) {
    this.modes = { ...DEFAULT_MODES, ...modes };
  }

  userByUri(uri: string | undefined): LocalUser | undefined {
    return this.users.find((u) => u.uri === uri);
  }

  userByNickname(nickname: string): LocalUser | undefined {
    return this.users.find((u) => u.nickname === nickname);
  }

  issue(fields: Omit<IssuedToken, "token" | "secret">): IssuedToken {
    const token: IssuedToken = {
      token: randomBytes(16).toString("hex"),
      secret: randomBytes(16).toString("hex"),
      ...fields,
    };
    this.tokens.set(token.token, token);
    return token;
  }

  /**
   * The checks every signed endpoint shares, in the order OAuth.php makes them: method,
   * version, timestamp, nonce, token (of that type and consumer), signature.
   */
  checkOAuth(
    method: string,
    url: string,
    params: Params,
    tokenType: "request" | "access" | null,
  ): OAuthCheck {
    const token =
      params.oauth_token === undefined ? undefined : this.tokens.get(params.oauth_token);
    const secret = tokenType === null ? "" : token?.secret;
    const valid = secret === undefined ? null : signatureValid(method, url, params, secret);
    const fail = (reason: string, kind: "token" | "oauth" = "oauth"): OAuthCheck => ({
      ok: false,
      kind,
      reason,
      signatureValid: valid,
      token,
    });
    const consumer = params.oauth_consumer_key;
    if (!consumer) return fail("missing oauth_consumer_key");
    if (params.oauth_signature_method !== "HMAC-SHA1")
      return fail("signature method not HMAC-SHA1");
    if (params.oauth_version !== undefined && params.oauth_version !== "1.0")
      return fail(`oauth_version ${params.oauth_version}`);
    const ts = Number(params.oauth_timestamp);
    if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > TIMESTAMP_WINDOW_S)
      return fail("timestamp missing or outside ±300 s");
    const nonce = params.oauth_nonce;
    if (!nonce) return fail("missing oauth_nonce");
    const nonceKey = `${consumer}|${ts}|${nonce}`;
    if (this.nonces.has(nonceKey)) return fail("nonce already used");
    this.nonces.add(nonceKey);
    if (tokenType !== null) {
      if (!token || token.type !== tokenType) return fail(`unknown ${tokenType} token`, "token");
      if (token.consumerKey !== consumer) return fail("token belongs to another consumer", "token");
    }
    if (!valid) return fail("bad signature");
    return { ok: true, token, signatureValid: true };
  }

  /** Replaces (listener, listenee)'s subscription, revoking the access token it held. */
  subscribe(s: Subscription): void {
    for (let i = this.subscriptions.length - 1; i >= 0; i--) {
      const old = this.subscriptions[i];
      if (old?.listener === s.listener && old.listenee === s.listenee) {
        this.revoke(old.token);
        this.subscriptions.splice(i, 1);
      }
    }
    this.subscriptions.push(s);
  }

  /** Every local user drops the listenee: its tokens stop working (403 on the next push). */
  unsubscribe(listenee: string): number {
    let removed = 0;
    for (let i = this.subscriptions.length - 1; i >= 0; i--) {
      const s = this.subscriptions[i];
      if (s?.listenee !== listenee) continue;
      this.revoke(s.token);
      this.subscriptions.splice(i, 1);
      removed++;
    }
    return removed;
  }

  /** The mode for the next push of this kind; a `pushTimes` budget turns it back to "ok". */
  takePushMode(kind: "postNotice" | "updateProfile"): PushMode {
    const mode = this.modes[kind];
    if (mode !== "ok" && this.modes.pushTimes !== undefined) {
      this.pushesInMode++;
      if (this.pushesInMode >= this.modes.pushTimes) {
        this.modes = { ...this.modes, postNotice: "ok", updateProfile: "ok" };
        delete this.modes.pushTimes;
      }
    }
    return mode;
  }

  control(req: ControlRequest): { modes: Modes; unsubscribed?: number } {
    const { unsubscribe, ...modes } = req;
    for (const [key, value] of Object.entries(modes)) {
      if (!(key in DEFAULT_MODES) && key !== "pushTimes")
        throw new Error(`unknown mode "${key}"; known: ${Object.keys(DEFAULT_MODES).join(", ")}`);
      if (value === undefined) throw new Error(`mode "${key}" needs a value`);
    }
    this.modes = { ...this.modes, ...modes };
    this.pushesInMode = 0;
    if (unsubscribe === undefined) return { modes: this.modes };
    return { modes: this.modes, unsubscribed: this.unsubscribe(unsubscribe) };
  }

  seen(): Seen {
    return {
      requests: this.requests,
      tokens: [...this.tokens.values()],
      subscriptions: this.subscriptions,
      notices: this.notices,
      profiles: this.profiles,
      modes: this.modes,
    };
  }

  private revoke(token: string): void {
    const t = this.tokens.get(token);
    if (t) this.tokens.set(token, { ...t, state: "revoked" });
  }
}
