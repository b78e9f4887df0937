/** `eleventy-federation following`: list or stop following the authors the site follows. */
import type { Command } from "commander";
import { inboxExportFile, writeInboxExport } from "../inbox/export.js";
import { CliError, CONFIG_OPTION, configFrom, openStore, printRecords } from "./run.js";
import { removeInStoreOrSidecar } from "./sidecar-client.js";

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
      const all = (await store.followed())
        .filter((f) => f.protocol === "omb")
        .sort((a, b) => a.since.localeCompare(b.since));
      await store.close();
      printRecords(all, opts.json, {
        json: ({ id, profile, credentials, since }) => ({
          uri: id,
          profile,
          consumerKey: credentials.consumerKey,
          since,
        }),
        empty: "The site follows nobody yet.",
        header: ["URI", "NICKNAME", "PROFILE", "SINCE"],
        row: (f) => [f.id, f.profile.nickname, f.profile.profile, f.since],
      });
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
      await removeInStoreOrSidecar(config, {
        command: "remove-following",
        uri,
        url: opts.url,
        local: async (store) => {
          if (!(await store.removeFollowed(uri))) return false;
          // No sidecar runs to refresh the build's copy: do it here.
          const file = inboxExportFile(config);
          if (file) await writeInboxExport(store, file);
          return true;
        },
        notFound: () =>
          new CliError(
            `eleventy-federation: the site does not follow ${uri}. \`eleventy-federation following\` lists whom it follows.`,
          ),
      });
      process.stdout.write(`Stopped following ${uri}. Their next notice will be refused (403).\n`);
    });
}
