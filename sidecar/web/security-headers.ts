/** Helmet's security headers (CSP and the rest), computed once and set on the sidecar's answers. */
import type { RequestHandler } from "express";
import helmet from "helmet";

/** helmet's configuration for the sidecar's own answers. */
const HELMET = helmet({
  contentSecurityPolicy: {
    directives: {
      "default-src": ["'self'"],
      // remote avatars are shown on the authorize and status pages
      "img-src": ["'self'", "https:", "http:", "data:"],
      "style-src": ["'self'", "'unsafe-inline'"],
      // forms redirect to remote OMB services (authorize, callback): no form-action limit
      "form-action": null,
      // the sidecar also runs over plain http on localhost (demo, tests)
      "upgrade-insecure-requests": null,
    },
  },
});

/**
 * The headers helmet sets, read once: with no CSP nonces they do not depend on the
 * request, and setting a fixed list costs a fraction of helmet's chain of thirteen
 * middlewares on every inbound notice (measured with bench:inbound's --cpu-prof).
 */
function helmetHeaders(): { set: [string, string][]; removed: string[] } {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const res = {
    setHeader: (name: string, value: string) => set.push([name, String(value)]),
    removeHeader: (name: string) => removed.push(name),
  };
  let called = false;
  HELMET({} as never, res as never, () => {
    called = true;
  });
  if (!called) throw new Error("helmet did not finish synchronously");
  return { set, removed };
}

const { set: HEADERS, removed: REMOVED } = helmetHeaders();

/**
 * True when `path` is one of `prefixes` or lies below one, ignoring case as Express's
 * routing does (`/OMB/postnotice` reaches the same handler as `/omb/postnotice`).
 */
export function underAny(path: string, prefixes: readonly string[]): boolean {
  const p = path.toLowerCase();
  return prefixes.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));
}

/** Security headers on every answer, or only on those whose path is under `prefixes`. */
export function securityHeaders(prefixes?: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (!prefixes || underAny(req.path, prefixes)) {
      for (const [name, value] of HEADERS) res.setHeader(name, value);
      for (const name of REMOVED) res.removeHeader(name);
    }
    next();
  };
}
