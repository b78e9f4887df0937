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
 * event), debounced. At start the export is written once when the store holds anything:
 * notices acknowledged inside the debounce window before a crash reach the next build.
 * An empty store writes nothing, an in-memory one never does. Started once, by the
 * composition root.
 */
export async function startInboxSync(ctx: Context): Promise<InboxSync> {
  const file = inboxExportFile(ctx.config);
  const write = async () => {
    if (!file) return;
    try {
      await writeInboxExport(ctx.store, file);
    } catch (err) {
      ctx.log.error({ err, file }, "cannot write the inbox export");
    }
  };
  if ((await ctx.store.followed()).length > 0 || (await ctx.store.inbox(1)).length > 0) {
    await write();
  }
  const exporter = new Debouncer(write, EXPORT_DELAY_MS, EXPORT_MAX_WAIT_MS);
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
