/** Keeps inbox.json and the site build hook in step with the inbox and following list, debounced. */
import type { Context } from "../context.js";
import { callBuildHook } from "./build-hook.js";
import { Debouncer } from "./debounce.js";
import { inboxExportFile, writeInboxExport } from "./export.js";

/**
 * Writes are grouped within this time (and at most this long after the first change): the
 * export is rewritten whole, so a stream of notices must not rewrite it several times a second.
 */
const EXPORT_DELAY_MS = 2000;
const EXPORT_MAX_WAIT_MS = 30_000;

export interface InboxSync {
  /** Writes what is pending and stops listening. */
  close(): Promise<void>;
}

/**
 * Keeps `inbox.json` (beside the data file) and the optional site build hook in step with
 * the inbox: on every received notice ("inbox" event) and following change ("following"
 * event), debounced. Nothing is written until something changes (tests on an in-memory
 * store leave no file behind). Started once, by the composition root.
 */
export function startInboxSync(ctx: Context): InboxSync {
  const file = inboxExportFile(ctx.config);
  const exporter = new Debouncer(
    async () => {
      try {
        await writeInboxExport(ctx.store, file);
      } catch (err) {
        ctx.log.error({ err, file }, "cannot write the inbox export");
      }
    },
    EXPORT_DELAY_MS,
    EXPORT_MAX_WAIT_MS,
  );
  const hookDelay = ctx.config.buildHook.debounceSeconds * 1000;
  const hook = new Debouncer(() => callBuildHook(ctx), hookDelay, Math.max(hookDelay, 1000) * 5);
  const changed = () => {
    exporter.trigger();
    if (ctx.config.buildHook.url) hook.trigger();
  };
  ctx.events.on("inbox", changed);
  ctx.events.on("following", changed);
  const sync: InboxSync = {
    async close() {
      ctx.events.off("inbox", changed);
      ctx.events.off("following", changed);
      await Promise.all([exporter.close(), hook.close()]);
    },
  };
  return sync;
}
