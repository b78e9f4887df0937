/** The OMB wing: subscribe (consumer) and provider routes, and the postNotice transport. */
import { Router } from "express";
import type { Wing } from "../wing.js";
import { providerRoutes } from "./provider-routes.js";
import { subscribeRoutes } from "./subscribe-routes.js";
import { PreparedEntries } from "./transport/entry-params.js";
import { OmbTransport } from "./transport/push.js";

export const ombWing: Wing = {
  protocol: "omb",
  transport: ({ config, store, http, log }) =>
    new OmbTransport({ store, http, log, prepared: new PreparedEntries(config.siteUrl) }),
  routes(ctx) {
    const router = Router();
    router.use(subscribeRoutes(ctx));
    router.use(providerRoutes(ctx));
    return router;
  },
  // OMB has no unsubscribe message: the access token is gone with the record, so their
  // service's next push gets 403 and it drops the subscription on its side.
  async unfollowed(ctx, account) {
    ctx.log.info({ listenee: account.id }, "stopped following; their next push gets 403");
  },
};
