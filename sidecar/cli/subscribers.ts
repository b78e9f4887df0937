import type { Command } from "commander";
import { DeployHookError } from "../../plugin/hook.js";
import { HOOK_COMMAND_PATH, inStoreOrSidecar, sendToSidecar } from "../sync/hook-client.js";
import { CliError, CONFIG_OPTION, configFrom, openStore, printTable } from "./run.js";
import { userFacing } from "./sync.js";

export function registerSubscribers(program: Command): void {
  const cmd = program
    .command("subscribers")
    .description("list or remove the people subscribed to the site");
  cmd
    .command("list", { isDefault: true })
    .description("list the people subscribed to the site")
    .option(...CONFIG_OPTION)
    .option("--json", "print JSON")
    .action(async (opts: { config: string; json?: boolean }) => {
      const store = await openStore(await configFrom(opts), "read");
      const subs = store.subscribers().sort((a, b) => a.subscribedAt.localeCompare(b.subscribedAt));
      await store.close();
      if (opts.json) {
        const safe = subs.map(({ token: _t, secret: _s, ...rest }) => rest);
        process.stdout.write(`${JSON.stringify(safe, null, 2)}\n`);
        return;
      }
      if (subs.length === 0) {
        process.stdout.write("No subscribers yet.\n");
        return;
      }
      printTable([
        ["URI", "NICKNAME", "PROFILE", "SINCE"],
        ...subs.map((s) => [s.uri, s.profile.nickname, s.profile.profile, s.subscribedAt]),
      ]);
    });
  cmd
    .command("remove <uri>")
    .description(
      "remove a subscriber; they get no more notices (through the running sidecar if there is one)",
    )
    .option(...CONFIG_OPTION)
    .option(
      "--url <url>",
      "the running sidecar's base URL (default: from the config's host and port)",
    )
    .action(async (uri: string, opts: { config: string; url?: string }) => {
      const config = await configFrom(opts);
      const notFound = () =>
        new CliError(
          `eleventy-federation: no subscriber with URI ${uri}. \`eleventy-federation subscribers\` lists them.`,
        );
      await userFacing(() =>
        inStoreOrSidecar(
          config,
          async (store) => {
            if (!(await store.removeSubscriber(uri))) throw notFound();
          },
          async () => {
            const command = { command: "remove-subscriber", uri };
            await sendToSidecar(config, HOOK_COMMAND_PATH, command, opts).catch((e: unknown) => {
              throw e instanceof DeployHookError && e.status === 404 ? notFound() : e;
            });
          },
        ),
      );
      process.stdout.write(`Removed ${uri}.\n`);
    });
}
