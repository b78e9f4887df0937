/**
 * Fedify on Express 5: the request's raw body (at most 1 MB, Mastodon's cap on incoming
 * activity JSON) into a WHATWG Request at its public URL, `federation.fetch`, and the
 * Response back. What Fedify does not route falls through to the next Express handler.
 * Fedify's @fedify/express targets Express 4, hence these few lines of our own.
 */
import express, {
  type Request as ExpressRequest,
  type Response as ExpressResponse,
  type RequestHandler,
} from "express";
import { AP_PATHS } from "../../contract/activitypub-paths.js";
import { underAny } from "../web/security-headers.js";
import type { ApRuntime } from "./federation.js";
import { checkInboxPost } from "./inbox-guard.js";
import { NODEINFO_PATH, publicRequestUrl, WELL_KNOWN_PATHS } from "./urls.js";

/** Largest inbound body (Mastodon refuses activity JSON over 1 MB too). */
export const AP_BODY_LIMIT = 1024 * 1024;

/** Paths (as the sidecar sees them, base path stripped) that Fedify answers. */
const AP_PREFIX = `/${AP_PATHS.actor.split("/")[1]}`;
export const FEDERATION_PATHS = [AP_PREFIX, NODEINFO_PATH, ...WELL_KNOWN_PATHS];

/** The WHATWG Request Fedify gets: public URL, every header, the raw body for POSTs. */
export function toFetchRequest(req: ExpressRequest, url: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const body = hasBody && Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : undefined;
  return new Request(url, { method: req.method, headers, body: hasBody ? (body ?? "") : null });
}

/** A browser asking for the actor gets the site, for a post its page; others a 406. */
async function notAcceptable(
  runtime: ApRuntime,
  request: Request,
  profileUrl: string,
): Promise<Response> {
  const target = runtime.federation
    .createContext(request, undefined)
    .parseUri(new URL(request.url));
  if (target?.type === "actor") return Response.redirect(profileUrl, 303);
  if (target?.type === "object") {
    const post = await runtime.posts.byKey(target.values.id ?? "");
    if (post?.kind === "post") return Response.redirect(post.notice.url, 303);
  }
  return new Response("This address serves ActivityPub JSON (application/activity+json).\n", {
    status: 406,
    headers: { "content-type": "text/plain; charset=utf-8", vary: "Accept" },
  });
}

/** Whether an answer's JSON is a Tombstone (only small bodies can be: no parse of the rest). */
function isTombstone(body: ArrayBuffer): boolean {
  if (body.byteLength > 4096) return false;
  const text = Buffer.from(body).toString("utf8");
  if (!text.includes("Tombstone")) return false;
  try {
    return (JSON.parse(text) as { type?: unknown }).type === "Tombstone";
  } catch {
    return false;
  }
}

/** Methods WHATWG Request refuses to carry: answered by the next handler (404/405). */
const FETCH_REFUSES = new Set(["CONNECT", "TRACE", "TRACK"]);

/** An inbox's path (the actor's or the shared one), as the sidecar sees it. */
export const INBOX_PATH = new RegExp(
  `^(?:${AP_PATHS.sharedInbox}|${AP_PATHS.inbox.replace("{identifier}", "[^/]+")})/?$`,
);

function plain(res: ExpressResponse, status: number, message: string): void {
  res.status(status).type("text/plain; charset=utf-8").send(`${message}\n`);
}

/** Express middleware answering the federation paths through `runtime.federation`. */
export function federationMiddleware(
  runtime: ApRuntime,
  opts: { profileUrl: () => string },
): RequestHandler {
  const raw = express.raw({ type: () => true, limit: AP_BODY_LIMIT });
  // Fedify's "nothing here" is answered by the next Express handler (a 404 page, or the site).
  const passOn = new Response(null, { status: 404 });
  return (req, res, next) => {
    if (!underAny(req.path, FEDERATION_PATHS)) return next();
    if (FETCH_REFUSES.has(req.method.toUpperCase())) return next();
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      let request: Request;
      try {
        request = toFetchRequest(req, publicRequestUrl(runtime.urls, req.originalUrl));
      } catch {
        return plain(res, 400, "This request cannot be read.");
      }
      const inbox = req.method === "POST" && INBOX_PATH.test(req.path);
      let blocked: Promise<boolean> = Promise.resolve(false);
      if (inbox) {
        const checked = checkInboxPost(
          request.headers,
          Buffer.isBuffer(req.body) ? req.body : new Uint8Array(),
        );
        if (checked.refusal) return plain(res, checked.refusal.status, checked.refusal.message);
        blocked = runtime.blocks.blocks(checked.sender.actor, checked.sender.keyId);
      }
      const state = { listenerFailed: false };
      const serve = async () => {
        if (await blocked) {
          return plain(res, 403, "The site's owner blocked this account or its server.");
        }
        const response = await runtime.handling.run(state, () =>
          runtime.federation.fetch(request, {
            contextData: undefined,
            onNotFound: () => passOn,
            // A browser asking for the actor gets the site, the author's profile page.
            onNotAcceptable: (request) => notAcceptable(runtime, request, opts.profileUrl()),
          }),
        );
        if (response === passOn) return next();
        // Fedify answers 500 to what it cannot parse (an unloadable @context, a malformed
        // Date, a broken key document): the sender's mistake, not ours, unless one of our
        // listeners failed (then 500 stands, and the sender retries).
        if (inbox && response.status >= 500 && !state.listenerFailed) {
          return plain(res, 400, "This activity could not be processed.");
        }
        res.status(response.status);
        response.headers.forEach((value, name) => {
          res.append(name, value);
        });
        res.setHeader("x-content-type-options", "nosniff");
        const body = await response.arrayBuffer();
        // A removed post's object is its Tombstone, answered 410 Gone (as Mastodon does).
        if (response.status === 200 && isTombstone(body)) res.status(410);
        res.end(req.method === "HEAD" ? undefined : Buffer.from(body));
      };
      serve().catch((err: unknown) => {
        // Thrown while reading what was sent (a bad Date, an unloadable context): the
        // sender's mistake, answered 400; our own listener's failure stays a 500.
        if (inbox && !state.listenerFailed && !res.headersSent) {
          return plain(res, 400, "This activity could not be processed.");
        }
        next(err);
      });
    });
  };
}
