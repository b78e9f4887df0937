import type { Command } from "commander";
import { DeployHookError } from "../../plugin/hook.js";
import { inboxExportFile, writeInboxExport } from "../inbox/export.js";
import {
  HOOK_COMMAND_PATH,
  HookSecretMissingError,
  inStoreOrSidecar,
  sendToSidecar,
} from "../sync/hook-client.js";
import { CliError, CONFIG_OPTION, configFrom, openStore, printTable } from "./run.js";

export function registerFollowing(program: Command): void {
  const cmd = program
    .command("following")
    .description("list or stop following the authors whose notices the site receives");
  cmd
    .command("list", { isDefault: true })
    .description("list the authors the site follows")
    .option(...CONFIG_OPTION)
    .option("--json", "print JSON")
    .action(async (opts: { config: string; json?: boolean }) => {
      const store = await openStore(await configFrom(opts), "read");
      const all = store.following().sort((a, b) => a.since.localeCompare(b.since));
      await store.close();
      if (opts.json) {
        const safe = all.map(({ uri, profile, consumerKey, since }) => ({
          uri,
          profile,
          consumerKey,
          since,
        }));
        process.stdout.write(`${JSON.stringify(safe, null, 2)}\n`);
        return;
      }
      if (all.length === 0) {
        process.stdout.write("The site follows nobody yet.\n");
        return;
      }
      printTable([
        ["URI", "NICKNAME", "PROFILE", "SINCE"],
        ...all.map((f) => [f.uri, f.profile.nickname, f.profile.profile, f.since]),
      ]);
    });
  cmd
    .command("remove <uri>")
    .description(
      "stop following an author: their access token is revoked, so their next push gets 403 and their service drops the subscription",
    )
    .option(...CONFIG_OPTION)
    .option("--url <url>", "the running sidecar's address (default: the config's host and port)")
    .action(async (uri: string, opts: { config: string; url?: string }) => {
      const config = await configFrom(opts);
      const notFollowed = () =>
        new CliError(
          `eleventy-federation: the site does not follow ${uri}. \`eleventy-federation following\` lists whom it follows.`,
        );
      await inStoreOrSidecar(
        config,
        async (store) => {
          if (!(await store.removeFollowing(uri))) throw notFollowed();
          // No sidecar runs to refresh the build's copy: do it here.
          await writeInboxExport(store, inboxExportFile(config));
        },
        async () => {
          try {
            await sendToSidecar(
              config,
              HOOK_COMMAND_PATH,
              { command: "remove-following", uri },
              { url: opts.url },
            );
          } catch (e) {
            if (e instanceof DeployHookError && e.status === 404) throw notFollowed();
            // Their messages already say what to do: print them without a stack.
            if (e instanceof DeployHookError || e instanceof HookSecretMissingError)
              throw new CliError((e as Error).message);
            throw e;
          }
        },
      );
      process.stdout.write(`Stopped following ${uri}. Their next notice will be refused (403).\n`);
    });
}
