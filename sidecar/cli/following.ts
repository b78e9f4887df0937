/** `eleventy-federation following`: list or stop following the authors the site follows. */
import type { Command } from "commander";
import { DeployHookError } from "../../contract/hook-client.js";
import { SIDECAR_PATHS } from "../../contract/public-paths.js";
import { queueUndo } from "../activitypub/following.js";
import { inboxExportFile, writeInboxExport } from "../inbox/export.js";
import { CliError, CONFIG_OPTION, configFrom, openStore, printRecords } from "./run.js";
import { removeInStoreOrSidecar, sendToSidecar } from "./sidecar-client.js";

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
      const all = (await store.followed()).sort((a, b) => a.since.localeCompare(b.since));
      await store.close();
      printRecords(all, opts.json, {
        json: (f) =>
          f.protocol === "omb"
            ? {
                protocol: f.protocol,
                uri: f.id,
                profile: f.profile,
                consumerKey: f.credentials.consumerKey,
                since: f.since,
              }
            : {
                protocol: f.protocol,
                uri: f.id,
                profile: f.profile,
                accepted: f.credentials.accepted,
                since: f.since,
              },
        empty: "The site follows nobody yet.",
        header: ["URI", "PROTOCOL", "NAME", "PROFILE", "STATE", "SINCE"],
        row: (f) =>
          f.protocol === "omb"
            ? [f.id, "OMB", f.profile.nickname, f.profile.profile, "following", f.since]
            : [
                f.id,
                "ActivityPub",
                f.profile.handle ?? f.profile.name,
                f.profile.url,
                f.credentials.accepted ? "following" : "pending",
                f.since,
              ],
      });
    });
  cmd
    .command("add <account>")
    .description(
      "follow a fediverse account (@user@instance or its actor URL): a Follow is sent, and their posts reach the timeline once they accept",
    )
    .option(...CONFIG_OPTION)
    .option("--url <url>", "the running sidecar's address (default: the config's host and port)")
    .action(async (account: string, opts: { config: string; url?: string }) => {
      const config = await configFrom(opts);
      const result = await sendToSidecar(
        config,
        SIDECAR_PATHS.hookCommand,
        { command: "add-following", account },
        { url: opts.url },
      ).catch((e: unknown) => {
        if (e instanceof DeployHookError && e.status === 422) {
          throw new CliError(`eleventy-federation: ${e.message}`);
        }
        throw e;
      });
      const sent = result.delivered
        ? "their server has the Follow; it shows as pending until they accept"
        : "their server did not take the Follow yet; the sidecar retries";
      process.stdout.write(`Following ${String(result.handle ?? result.followed)}: ${sent}.
`);
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
          const account = await store.followedAccount(uri);
          if (!account || !(await store.removeFollowed(uri))) return false;
          // Their server is told by the sidecar's next start (the Undo needs its key).
          if (account.protocol === "activitypub") await queueUndo(store, account);
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
