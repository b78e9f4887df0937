/** `eleventy-federation sync`: reads the published manifest now and queues what changed. */
import type { Command } from "commander";
import { SIDECAR_PATHS } from "../../contract/public-paths.js";
import type { Config } from "../config.js";
import { composeSidecar } from "../server.js";
import type { Store } from "../store/store.js";
import { type SyncResult, syncOnce } from "../sync/syncer.js";
import { CONFIG_OPTION, commandLogger, configFrom } from "./run.js";
import { inStoreOrSidecar, sendToSidecar } from "./sidecar-client.js";

/** One sync in this process, on a store this process holds. */
async function syncHere(
  config: Config,
  store: Store,
  opts: { confirmRemovals?: boolean },
): Promise<SyncResult> {
  const ctx = composeSidecar(config, store, commandLogger(config));
  try {
    return await syncOnce(ctx, "cli", opts);
  } finally {
    await ctx.closeClients();
  }
}

function describe(r: Record<string, unknown>, where: string): string {
  const lines: string[] = [];
  if (r.outcome === "first-sync") {
    lines.push(
      `First sync ${where}: ${String(r.archived)} existing notice(s) recorded as already published (subscribers are not sent the archive).`,
    );
  } else if (r.outcome === "not-modified") {
    lines.push(`Sync ${where}: the manifest has not changed since the last sync.`);
  } else {
    const changed = Array.isArray(r.profileChanged) ? r.profileChanged : [];
    lines.push(
      `Sync ${where}: ${String(r.newNotices)} new notice(s)${
        Number(r.updated) > 0 ? `, ${String(r.updated)} edited` : ""
      }${Number(r.removed) > 0 ? `, ${String(r.removed)} removed` : ""}${
        changed.length > 0 ? `, profile changed (${changed.join(", ")})` : ", profile unchanged"
      }, for ${String(r.destinations)} destination(s).`,
    );
  }
  if (Number(r.removalsHeld) > 0) {
    lines.push(
      `  ${String(r.removalsHeld)} post(s) vanished from the manifest at once, more than half of them: removals held back (a broken build?). If they were meant, run \`eleventy-federation sync --confirm-removals\`.`,
    );
  }
  for (const x of (r.rejected as { uri: string; reason: string }[] | undefined) ?? []) {
    lines.push(`  not sent: ${x.uri}: ${x.reason}`);
  }
  if (typeof r.profileError === "string")
    lines.push(`  profile change not sent: ${r.profileError}`);
  return `${lines.join("\n")}\n`;
}

export function registerSync(program: Command): void {
  program
    .command("sync")
    .description(
      "read the published manifest now and queue new notices and profile changes (through the running sidecar if there is one)",
    )
    .option(...CONFIG_OPTION)
    .option(
      "--url <url>",
      "the running sidecar's base URL (default: from the config's host and port)",
    )
    .option("--json", "print the result as JSON")
    .option(
      "--confirm-removals",
      "apply removals even when most posts vanished from the manifest at once",
    )
    .action(
      async (opts: { config: string; url?: string; json?: boolean; confirmRemovals?: boolean }) => {
        const config = await configFrom(opts);
        const confirm = opts.confirmRemovals ? { confirmRemovals: true } : {};
        const { result, where } = await inStoreOrSidecar(
          config,
          async (store) => {
            const r = await syncHere(config, store, confirm);
            return { result: { ...r } as Record<string, unknown>, where: "(no sidecar running)" };
          },
          async () => ({
            result: await sendToSidecar(
              config,
              SIDECAR_PATHS.hook,
              { source: "cli", ...confirm },
              opts,
            ),
            where: "by the running sidecar",
          }),
        );
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        process.stdout.write(describe(result, where));
        const changed = Array.isArray(result.profileChanged) ? result.profileChanged.length : 0;
        if (where.startsWith("(no") && Number(result.newNotices) + changed > 0) {
          process.stdout.write(
            "The new entries go out when the sidecar starts, or now with `eleventy-federation deliver`.\n",
          );
        }
      },
    );
}
