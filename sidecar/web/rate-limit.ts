/** Per-client-address rate limits for the sidecar's routes, with Retry-After and RateLimit headers. */
import type { RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";

export interface ClientLimit {
  /** Requests allowed per client address and window. */
  limit: number;
  windowMinutes: number;
  /** The answer past the limit, handed to the error middleware (a page or plain text). */
  refusal: () => Error;
  /** Only failed requests count (the login: the right password is never the abuse). */
  skipSuccessfulRequests?: boolean;
  /**
   * No RateLimit headers on the answers under the limit: for pushes, whose senders
   * (StatusNet) never read them, and where writing them (a hash of the key per request)
   * was a measurable share of an inbound notice's cost. The refusal still carries them.
   */
  quiet?: boolean;
}

/**
 * Every per-address limit of the sidecar, one policy: past `limit` requests in the window,
 * `refusal()` with Retry-After and draft-8 RateLimit headers (no legacy X-RateLimit-*).
 */
export function limitPerClient(o: ClientLimit): RequestHandler {
  const windowMs = o.windowMinutes * 60_000;
  return rateLimit({
    windowMs,
    limit: o.limit,
    skipSuccessfulRequests: o.skipSuccessfulRequests ?? false,
    standardHeaders: o.quiet ? false : "draft-8",
    legacyHeaders: false,
    handler: (req, res, next) => {
      // express-rate-limit writes no header at all when standardHeaders is off.
      if (o.quiet) {
        const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const seconds = Math.max(
          1,
          Math.ceil(((reset?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000),
        );
        const name = o.windowMinutes === 1 ? "per-minute" : `per-${o.windowMinutes}-minutes`;
        res.setHeader("Retry-After", String(seconds));
        res.setHeader("RateLimit-Policy", `"${name}"; q=${o.limit}; w=${windowMs / 1000}`);
        res.setHeader("RateLimit", `"${name}"; r=0; t=${seconds}`);
      }
      next(o.refusal());
    },
  });
}
