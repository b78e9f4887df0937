/** The signed cookie that binds a remote-subscribe flow to the browser that started it. */
import { randomBytes } from "node:crypto";
import cookieParser from "cookie-parser";
import type { Request, RequestHandler, Response } from "express";
import { z } from "zod";
import { MAX_REMOTE_TOKEN_BYTES } from "./consumer.js";

/**
 * Binds a subscribe flow to the browser that started it (OMB.md §3: Laconica kept the whole
 * flow in the PHP session). The browser gets a signed cookie naming the request token and
 * a random nonce; the callback must bring back the same pair, and the nonce must match the
 * pending flow in the store (compared in constant time, `equalText`).
 */

export const FLOW_COOKIE = "omb_subscribe";

/** The cookie middleware, created on first use: the secret lives in the store (async). */
export function lazyCookieParser(secret: () => Promise<string>): RequestHandler {
  let parser: Promise<RequestHandler> | undefined;
  return async (req, res, next) => {
    parser ??= secret().then((s) => cookieParser(s));
    (await parser)(req, res, next);
  };
}

export interface FlowCookie {
  token: string;
  nonce: string;
}

export function newBrowserNonce(): string {
  return randomBytes(18).toString("base64url");
}

export interface CookieOptions {
  /** The callback's path: the only place the cookie is needed. */
  path: string;
  secure: boolean;
  maxAgeMs: number;
}

export function setFlowCookie(res: Response, flow: FlowCookie, opts: CookieOptions): void {
  res.cookie(
    FLOW_COOKIE,
    { t: flow.token, n: flow.nonce },
    {
      signed: true,
      httpOnly: true,
      // Lax: the cookie must come along on the top-level redirect back from the remote service.
      sameSite: "lax",
      secure: opts.secure,
      path: opts.path,
      maxAge: opts.maxAgeMs,
    },
  );
}

export function clearFlowCookie(res: Response, opts: CookieOptions): void {
  res.clearCookie(FLOW_COOKIE, {
    httpOnly: true,
    sameSite: "lax",
    secure: opts.secure,
    path: opts.path,
  });
}

/** What the cookie holds: a remote request token (capped as the flow caps it) and our nonce. */
const cookieShape = z.object({
  t: z.string().max(MAX_REMOTE_TOKEN_BYTES),
  n: z.string().max(64),
});

/** The flow named by a correctly signed cookie; undefined when absent, forged, malformed or oversized. */
export function readFlowCookie(req: Request): FlowCookie | undefined {
  const parsed = cookieShape.safeParse(req.signedCookies?.[FLOW_COOKIE]);
  return parsed.success ? { token: parsed.data.t, nonce: parsed.data.n } : undefined;
}
