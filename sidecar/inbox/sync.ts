/** Keeps inbox.json and the site build hook in step with the inbox and following list, debounced. */
import type { Context } from "../context.js";
import { interactionsExportFile, writeInteractionsExport } from "../interactions/export.js";
import { INTERACTIONS_PREFIX } from "../interactions/records.js";
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
  const inboxFile = inboxExportFile(ctx.config);
  const interactionsFile = interactionsExportFile(ctx.config);
  const writer =
    (what: string, file: string | null, write: (file: string) => Promise<void>) => async () => {
      if (!file) return;
      try {
        await write(file);
      } catch (err) {
        ctx.log.error({ err, file }, `cannot write the ${what} export`);
      }
    };
  const writeInbox = writer("inbox", inboxFile, (f) => writeInboxExport(ctx.store, f));
  const writeInteractions = writer("interactions", interactionsFile, (f) =>
    writeInteractionsExport(ctx.store, f, ctx.config.publicUrl),
  );
  if ((await ctx.store.followed()).length > 0 || (await ctx.store.inbox(1)).length > 0) {
    await writeInbox();
  }
  if ((await ctx.store.kvList(INTERACTIONS_PREFIX)).length > 0) await writeInteractions();
  const inboxExporter = new Debouncer(writeInbox, EXPORT_DELAY_MS, EXPORT_MAX_WAIT_MS);
  const interactionsExporter = new Debouncer(
    writeInteractions,
    EXPORT_DELAY_MS,
    EXPORT_MAX_WAIT_MS,
  );
  const hookDelay = ctx.config.buildHook.debounceSeconds * 1000;
  const hook = new Debouncer(() => callBuildHook(ctx), hookDelay, Math.max(hookDelay, 1000) * 5);
  const rebuild = () => {
    if (ctx.config.buildHook.url) hook.trigger();
  };
  const inboxChanged = () => {
    inboxExporter.trigger();
    rebuild();
  };
  const interactionsChanged = () => {
    interactionsExporter.trigger();
    rebuild();
  };
  ctx.events.on("inbox", inboxChanged);
  ctx.events.on("following", inboxChanged);
  ctx.events.on("interactions", interactionsChanged);
  const sync: InboxSync = {
    async close() {
      ctx.events.off("inbox", inboxChanged);
      ctx.events.off("following", inboxChanged);
      ctx.events.off("interactions", interactionsChanged);
      await Promise.all([inboxExporter.close(), interactionsExporter.close(), hook.close()]);
    },
  };
  return sync;
}
