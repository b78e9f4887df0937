/** The sidecar's Express app: each wing's routes, the hooks, the owner's pages, a served site. */
import express from "express";
import { SIDECAR_PATHS } from "../contract/public-paths.js";
import { FEDERATION_PATHS } from "./activitypub/express-adapter.js";
import { adminRoutes } from "./admin/routes.js";
import { OWNER_PATHS } from "./auth/owner.js";
import type { Context } from "./context.js";
import { hookRoutes } from "./sync/hook-routes.js";
import { errorHandler, notFound } from "./web/errors.js";
import { securityHeaders, underAny } from "./web/security-headers.js";
import { siteNotFound, siteStatic } from "./web/site-static.js";

export interface AppOptions {
  /** A built site to serve from the same process (local use and the demo). */
  siteDir?: string;
}

/** First path segments of every sidecar endpoint (/omb, /hooks, /admin) and the federation paths. */
const SIDECAR_PREFIXES = [
  ...new Set(
    [...Object.values(SIDECAR_PATHS), ...Object.values(OWNER_PATHS)].map(
      (p) => `/${p.split("/")[1]}`,
    ),
  ),
  ...FEDERATION_PATHS,
];

/** The sidecar's Express app: OMB endpoints in both roles, hooks, owner pages. */
export function createApp(ctx: Context, opts: AppOptions = {}): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", ctx.config.trustProxy);
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  // Only the sidecar's own pages get its headers: a site served with --site keeps its own
  // (its avatar must load on other sites' pages; its pages may use other origins).
  app.use(securityHeaders(SIDECAR_PREFIXES));
  // Owner pages carry CSRF tokens and private data: never cached, never answered with 304.
  const ownerPages = [OWNER_PATHS.status, SIDECAR_PATHS.authorize];
  app.use((req, res, next) => {
    if (underAny(req.path, ownerPages)) res.setHeader("Cache-Control", "no-store");
    next();
  });
  const sidecar = express.Router();
  for (const wing of ctx.wings.values()) sidecar.use(wing.routes(ctx));
  sidecar.use(hookRoutes(ctx));
  sidecar.use(adminRoutes(ctx));
  app.use(sidecar);
  if (opts.siteDir) app.use(siteStatic(opts.siteDir), siteNotFound(opts.siteDir));
  app.use(securityHeaders(), notFound);
  app.use(errorHandler(ctx.log, ctx.config.siteUrl));
  return app;
}
