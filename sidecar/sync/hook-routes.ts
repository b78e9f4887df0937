/** The signed deploy-hook (sync now) and command routes of a running sidecar, replays refused. */
import express, { type Request, Router } from "express";
import {
  HOOK_SIGNATURE_HEADER,
  HOOK_TIMESTAMP_HEADER,
  HOOK_WINDOW_SECONDS,
  verifyHook,
} from "../../contract/hook-signature.js";
import { ManifestError } from "../../contract/manifest.js";
import { SIDECAR_PATHS } from "../../contract/public-paths.js";
import type { Context } from "../context.js";
import { ProtocolError } from "../web/errors.js";
import { type HookCommands, stringArg } from "./hook-commands.js";
import { ManifestRunModeError, ManifestSourceError } from "./manifest-source.js";
import type { SyncResult } from "./syncer.js";

/**
 * The deploy hook (`POST /hooks/deploy`: read the published manifest now) and signed
 * commands for a running sidecar (`POST /hooks/command`, used by the CLI while the sidecar
 * holds the store). Both are signed like DESIGN.md "Hook": HMAC-SHA256 of
 * `<timestamp>.<body>` keyed by FEDERATION_HOOK_SECRET; stale or replayed requests refused.
 */

/** Hook bodies are tiny JSON documents. */
const HOOK_BODY_LIMIT = "64kb";

/** The commands every sidecar has, whatever its wings: a sync, and removing a follower. */
export function coreCommands(commands: HookCommands): HookCommands {
  return commands
    .register("sync", async (ctx, args) =>
      syncAnswer(
        await runSync(
          ctx,
          `command${typeof args.source === "string" ? `:${args.source}` : ""}`,
          args.confirmRemovals === true,
        ),
      ),
    )
    .register("remove-subscriber", async (ctx, args) => {
      const uri = stringArg(args, "uri");
      const removed = await ctx.store.removeFollower(uri);
      if (!removed) throw new ProtocolError(404, `no subscriber with URI ${uri}`);
      ctx.log.info({ subscriber: uri }, "subscriber removed by the owner");
      return { removed: uri };
    });
}

export function hookRoutes(ctx: Context): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: HOOK_BODY_LIMIT });

  router.post(SIDECAR_PATHS.hook, raw, async (req, res) => {
    const body = await verified(ctx, req);
    const source = typeof body.source === "string" ? `hook:${body.source.slice(0, 40)}` : "hook";
    res.json(syncAnswer(await runSync(ctx, source, body.confirmRemovals === true)));
  });

  router.post(SIDECAR_PATHS.hookCommand, raw, async (req, res) => {
    const body = await verified(ctx, req);
    const name = body.command;
    const handler = ctx.commands.get(name);
    if (!handler) {
      throw new ProtocolError(
        400,
        `unknown command ${JSON.stringify(name)}; known: ${ctx.commands.names().join(", ")}`,
      );
    }
    res.json({ ok: true, command: name, ...(await handler(ctx, body)) });
  });
  return router;
}

/** Checks secret, signature, time window and replay; returns the parsed JSON body ({} if empty). */
async function verified(ctx: Context, req: Request): Promise<Record<string, unknown>> {
  const secret = ctx.config.secrets.hookSecret;
  if (!secret) {
    throw new ProtocolError(
      503,
      "The deploy hook is not configured: start the sidecar with FEDERATION_HOOK_SECRET set in its environment (and give the same value to whatever calls the hook).",
    );
  }
  const text = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
  const signature = req.get(HOOK_SIGNATURE_HEADER);
  const check = verifyHook(secret, text, req.get(HOOK_TIMESTAMP_HEADER), signature);
  if (!check.ok) throw new ProtocolError(401, `hook refused: ${check.reason}`);
  // The signature is remembered until its timestamp leaves the window: a replay is refused.
  const expires = (check.timestamp + HOOK_WINDOW_SECONDS + 1) * 1000;
  // Keyed on the lower-cased value: `SHA256=<HEX>` verifies too and must count as the same.
  if (!(await ctx.store.claimNonce(`hook\n${(signature ?? "").toLowerCase()}`, expires))) {
    throw new ProtocolError(401, "hook refused: this signed request was already used (replay)");
  }
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProtocolError(400, "hook body must be JSON (or empty)");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new ProtocolError(400, "hook body must be a JSON object");
  return parsed as Record<string, unknown>;
}

async function runSync(
  ctx: Context,
  source: string,
  confirmRemovals: boolean,
): Promise<SyncResult> {
  try {
    return await ctx.syncer.run(source, { confirmRemovals });
  } catch (e) {
    // 409: the site is fine, but what it published is a dev server's output (drafts and all).
    if (e instanceof ManifestRunModeError) throw new ProtocolError(409, e.message);
    if (e instanceof ManifestSourceError) throw new ProtocolError(502, e.message);
    if (e instanceof ManifestError) throw new ProtocolError(422, e.message);
    throw e;
  }
}

function syncAnswer(r: SyncResult): Record<string, unknown> {
  return {
    ok: true,
    outcome: r.outcome,
    newNotices: r.newNotices,
    updated: r.updated,
    removed: r.removed,
    archived: r.archived,
    profileChanged: r.profileChanged,
    destinations: r.destinations,
    rejected: r.rejected,
    ...(r.profileError ? { profileError: r.profileError } : {}),
    ...(r.removalsHeld ? { removalsHeld: r.removalsHeld } : {}),
  };
}
