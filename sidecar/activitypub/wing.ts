/** The ActivityPub wing: Fedify's endpoints (actor, WebFinger, NodeInfo, inboxes), follow handling. */
import { Router } from "express";
import type { Context } from "../context.js";
import { mastodonSchedule } from "../delivery/backoff.js";
import { type HookCommands, stringArg } from "../sync/hook-commands.js";
import { ProtocolError } from "../web/errors.js";
import { limitPerClient } from "../web/rate-limit.js";
import type { Wing } from "../wing.js";
import { federationMiddleware, INBOX_PATH } from "./express-adapter.js";
import { type ApRuntime, createApRuntime } from "./federation.js";
import { FollowRequestError } from "./follow-requests.js";
import { activityRenderer } from "./outbound/render.js";
import { ApTransport } from "./outbound/transport.js";

/** The running wing of each sidecar (its routes build it): what the status page and commands use. */
const runtimes = new WeakMap<Context, ApRuntime>();

/** The ActivityPub runtime of a running sidecar, or undefined when the wing is not mounted. */
export function apRuntime(ctx: Context): ApRuntime | undefined {
  return runtimes.get(ctx);
}

function runtimeOf(ctx: Context): ApRuntime {
  const rt = apRuntime(ctx);
  if (!rt) throw new ProtocolError(409, "ActivityPub is not enabled on this sidecar");
  return rt;
}

/** `followers approve|reject <actor>` through the running sidecar (it holds the key and the store). */
function followRequestCommands(commands: HookCommands): void {
  for (const answer of ["approve", "reject"] as const) {
    commands.register(`${answer}-follower`, async (ctx, args) => {
      const actor = stringArg(args, "actor");
      try {
        const delivered = await runtimeOf(ctx).requests[answer](actor);
        return { [answer === "approve" ? "approved" : "rejected"]: actor, delivered };
      } catch (e) {
        if (e instanceof FollowRequestError) throw new ProtocolError(404, e.message);
        throw e;
      }
    });
  }
}

/** The transport the delivery worker sends posts with: activities, signed, Mastodon's retries. */
export const apTransport: Wing["transport"] = (deps) =>
  new ApTransport(deps, {
    render: activityRenderer(deps),
    retry: mastodonSchedule(deps.config.activitypub.firstRetrySeconds),
  });

/** The wing; tests may give another transport. */
export function activitypubWing(transport: Wing["transport"] = apTransport): Wing {
  return {
    protocol: "activitypub",
    transport,
    routes(ctx) {
      const runtime = createApRuntime(ctx);
      runtimes.set(ctx, runtime);
      runtime.replies.start();
      void runtime.replies.retryDue();
      const router = Router();
      const inboxLimit = limitPerClient({
        limit: ctx.config.inbound.activitiesPerMinute,
        windowMinutes: 1,
        refusal: () =>
          new ProtocolError(429, "Too many activities from this address; retry in a minute."),
        quiet: true,
      });
      router.post(INBOX_PATH, inboxLimit);
      router.use(federationMiddleware(runtime, { profileUrl: () => ctx.config.siteUrl }));
      return router;
    },
    // Sending Undo(Follow) belongs to following over ActivityPub (issue 12).
    async unfollowed(ctx, account) {
      ctx.log.info({ account: account.id }, "stopped following an ActivityPub account");
    },
    commands: followRequestCommands,
    stop(ctx) {
      apRuntime(ctx)?.replies.stop();
    },
  };
}
