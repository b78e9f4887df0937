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
import { FollowError, queueUndo } from "./following.js";
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

/** `following add <handle|url>` through the running sidecar (the Follow is signed with its key). */
function followCommands(commands: HookCommands): void {
  commands.register("add-following", async (ctx, args) => {
    try {
      const { followed, delivered } = await runtimeOf(ctx).following.follow(
        stringArg(args, "account"),
      );
      return { followed: followed.id, handle: followed.profile.handle ?? null, delivered };
    } catch (e) {
      if (e instanceof FollowError) throw new ProtocolError(422, e.message);
      throw e;
    }
  });
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
      for (const sender of [runtime.replies, runtime.followSender]) {
        sender.start();
        void sender.retryDue();
      }
      runtime.following.sendQueuedUndos().catch((err: unknown) => {
        ctx.log.warn(
          { err },
          "cannot send the Undos queued while the sidecar was stopped; the next start tries again",
        );
      });
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
    async unfollowed(ctx, account) {
      if (account.protocol !== "activitypub") return;
      const runtime = apRuntime(ctx);
      if (!runtime) return;
      const sent = await runtime.following.undo(account).catch(async (err: unknown) => {
        await queueUndo(ctx.store, account);
        ctx.log.warn(
          { err, account: account.id },
          "the Undo of our Follow waits for the next start",
        );
        return false;
      });
      ctx.log.info(
        { account: account.id, sent },
        "stopped following an ActivityPub account (Undo sent)",
      );
    },
    commands(commands) {
      followRequestCommands(commands);
      followCommands(commands);
    },
    stop(ctx) {
      apRuntime(ctx)?.replies.stop();
      apRuntime(ctx)?.followSender.stop();
    },
  };
}
