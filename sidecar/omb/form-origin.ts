/** The subscribe form's CSRF check: a POST must come from a page of the site or of the sidecar (Origin, else Referer). */
import type { RequestHandler } from "express";
import type { Logger } from "../log.js";
import { PageError } from "../web/errors.js";

/**
 * The form lives on static pages, which can carry no CSRF token, so the browser's own
 * word is used: a form POST carries `Origin` (every current browser sends it on a POST,
 * cross-site or not; Fetch "append a request Origin header"), or at least `Referer`.
 * - Origin present: it must be the site's or the sidecar's origin. `Origin: null`
 *   (sandboxed frame, data: or file: page, a `no-referrer` policy) is refused: any page
 *   can produce it.
 * - No Origin, Referer present: the Referer's origin must be one of them.
 * - Neither: allowed. A browser never sends a cross-site POST without Origin, so this is
 *   a client that is not a browser (curl, the CLI, tests), which no other site can drive.
 */
export type OriginVerdict =
  | { ok: true; by: "origin" | "referer" | "none" }
  | { ok: false; sent: string; header: "origin" | "referer" };

/** The serialized origin of `url` ("null" for opaque ones), or undefined when it is no URL. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function checkFormOrigin(
  headers: { origin?: string | undefined; referer?: string | undefined },
  allowed: readonly string[],
): OriginVerdict {
  const origins = new Set(allowed.map(originOf).filter((o) => o !== undefined && o !== "null"));
  for (const header of ["origin", "referer"] as const) {
    const sent = headers[header];
    if (sent === undefined) continue;
    const origin = sent === "null" ? undefined : originOf(sent);
    return origin !== undefined && origins.has(origin)
      ? { ok: true, by: header }
      : { ok: false, sent, header };
  }
  return { ok: true, by: "none" };
}

/**
 * Middleware for the subscribe POST: refuses, with a 403 page, a form posted from any
 * page but the site's (`siteUrl`) or the sidecar's own (`publicUrl`).
 */
export function sameSiteFormOnly(allowed: readonly string[], log: Logger): RequestHandler {
  const shown = [...new Set(allowed.map((u) => originOf(u) ?? u))].join(" or ");
  return (req, _res, next) => {
    const verdict = checkFormOrigin(
      { origin: req.get("origin"), referer: req.get("referer") },
      allowed,
    );
    if (verdict.ok) {
      next();
      return;
    }
    const sent = verdict.sent.slice(0, 200);
    log.info({ [verdict.header]: sent }, "subscribe: form posted from another site, refused");
    next(
      new PageError(
        403,
        "form origin",
        "Subscribe from the site itself",
        `This subscribe form was posted from ${verdict.header === "origin" && sent === "null" ? "a page without an origin (Origin: null)" : sent}, not from ${shown}.`,
        "The form must be posted from the site itself: open the site and use its subscribe form there. " +
          "Forms copied onto other pages are refused, so that no other site can start a subscription from your browser. " +
          "If the form is on the site, check that its pages do not send a no-referrer policy.",
      ),
    );
  };
}
