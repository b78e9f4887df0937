/** Polls the published manifest on the config's cron schedule, and validates that schedule. */
import cron from "node-cron";
import { ConfigError } from "../config.js";
import type { Context } from "../context.js";
import { ManifestRunModeError } from "./manifest-source.js";
import type { Syncer } from "./syncer.js";

/** `poll.schedule` is not a node-cron expression: the sidecar refuses to start. */
export class PollScheduleError extends ConfigError {
  override name = "PollScheduleError";
}

/** Throws PollScheduleError naming each bad field; "" (no polling) passes. */
export function checkPollSchedule(schedule: string): void {
  if (schedule === "") return;
  const check = cron.validateDetailed(schedule);
  if (check.valid) return;
  const problems = check.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  throw new PollScheduleError(
    `eleventy-federation: config "poll.schedule" ${JSON.stringify(schedule)} is not a valid cron expression (${problems || "unreadable"}). ` +
      'Use node-cron syntax, e.g. "*/5 * * * *" for every five minutes (an optional sixth, leading field is seconds), or "" for no polling.',
  );
}

export interface Poller {
  stop(): Promise<void>;
}

/**
 * Reads the published manifest on `poll.schedule` (a conditional GET, so an unchanged site
 * costs a 304). A poll during a sync waits for it (the Syncer runs one at a time); a failure
 * is logged and kept in the sync state for `status`, and the next tick tries again.
 */
export function startPoller(ctx: Pick<Context, "config" | "log">, syncer: Syncer): Poller {
  const schedule = ctx.config.poll.schedule;
  if (schedule === "") return { stop: async () => {} };
  checkPollSchedule(schedule);
  const poll = () =>
    syncer.run("poll", { conditional: true }).catch((e: unknown) => {
      // A refused dev-server manifest was logged by the sync, with what to do.
      if (e instanceof ManifestRunModeError) return;
      ctx.log.warn({ error: (e as Error).message }, "manifest poll failed; next tick retries");
    });
  const task = cron.schedule(schedule, poll, {
    name: "eleventy-federation manifest poll",
    noOverlap: true,
    logger: {
      info: (m) => ctx.log.debug(m),
      warn: (m) => ctx.log.warn(m),
      error: (m) => ctx.log.error(String(m)),
      debug: (m) => ctx.log.debug(String(m)),
    },
  });
  // Catch up with deploys made while the sidecar was down, without waiting for the first tick.
  void poll();
  return {
    stop: async () => {
      await task.destroy();
    },
  };
}
