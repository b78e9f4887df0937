/** `eleventy-federation deliver`: sends what is pending in the foreground, with progress. */
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { deliveryStatus } from "../delivery/status.js";
import { DeliveryWorker } from "../delivery/worker.js";
import { composeSidecar } from "../server.js";
import { StoreLockedError } from "../store/json/lock.js";
import type { Store } from "../store/store.js";
import { CliError, CONFIG_OPTION, commandLogger, configFrom, openStore } from "./run.js";

export function registerDeliver(program: Command): void {
  program
    .command("deliver")
    .description(
      "send every pending notice and profile change now, in the foreground (the sidecar must be stopped)",
    )
    .option(...CONFIG_OPTION)
    .option("--include-gave-up", "also try destinations that were given up")
    .option("--no-progress", "no progress bar (for logs and CI)")
    .action(async (opts: { config: string; includeGaveUp?: boolean; progress: boolean }) => {
      const config = await configFrom(opts);
      let store: Store;
      try {
        store = await openStore(config, "write");
      } catch (e) {
        if (!(e instanceof StoreLockedError)) throw e;
        throw new CliError(
          `${e.message}\nA running sidecar delivers by itself; \`eleventy-federation status\` shows its progress.`,
        );
      }
      const ctx = composeSidecar(config, store, commandLogger(config));
      try {
        const before = await deliveryStatus(store, 0);
        const total = before.pending + (opts.includeGaveUp ? before.pendingGaveUp : 0);
        if (total === 0) {
          process.stdout.write("Nothing to deliver.\n");
          return;
        }
        const bar =
          opts.progress && process.stderr.isTTY
            ? new cliProgress.SingleBar(
                {
                  stream: process.stderr,
                  format: "deliver [{bar}] {value}/{total} entries | failed {failed}",
                },
                cliProgress.Presets.shades_classic,
              )
            : null;
        bar?.start(total, 0, { failed: 0 });
        const worker = new DeliveryWorker(ctx);
        const counts = await worker.drain({
          includeGaveUp: opts.includeGaveUp ?? false,
          onProgress: (c) =>
            bar?.update(c.delivered + c.refused, { failed: c.retried + c.gaveUp + c.gone }),
        });
        bar?.stop();
        const after = await deliveryStatus(store, 0);
        process.stdout.write(
          `Delivered ${counts.delivered}, refused by the receiver ${counts.refused}, failed ${counts.retried} (will be retried), destinations gone ${counts.gone}. Still pending: ${after.pending}.\n`,
        );
        if (after.failing.length > 0) {
          process.stdout.write(
            "Some destinations are failing; `eleventy-federation status` shows their errors.\n",
          );
          process.exitCode = 2;
        }
      } finally {
        await ctx.closeClients();
        await store.close();
      }
    });
}
