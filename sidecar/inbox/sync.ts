import type { Context } from "../context.js";
import { FOLLOWING_EVENT, INBOX_EVENT } from "../omb/inbound-notice.js";
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

const running = new WeakMap<Context, InboxSync>();

/**
 * Keeps `inbox.json` (beside the data file) and the optional site build hook in step with
 * the inbox: on every received notice ("inbox" event) and following change ("following"
 * event), debounced. Nothing is written until something changes (tests on an in-memory
 * store leave no file behind). One per context; calling it again returns the running one.
 */
export function startInboxSync(ctx: Context): InboxSync {
  const existing = running.get(ctx);
  if (existing) return existing;
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
  ctx.events.on(INBOX_EVENT, changed);
  ctx.events.on(FOLLOWING_EVENT, changed);
  const sync: InboxSync = {
    async close() {
      ctx.events.off(INBOX_EVENT, changed);
      ctx.events.off(FOLLOWING_EVENT, changed);
      running.delete(ctx);
      await Promise.all([exporter.close(), hook.close()]);
    },
  };
  running.set(ctx, sync);
  return sync;
}
