/** `eleventy-federation subscribers`: list or remove the people who follow the site over OMB. */
import type { Command } from "commander";
import { CliError, CONFIG_OPTION, configFrom, openStore, printRecords } from "./run.js";
import { removeInStoreOrSidecar } from "./sidecar-client.js";

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
      const subs = (await store.followers("omb"))
        .filter((f) => f.protocol === "omb")
        .sort((a, b) => a.since.localeCompare(b.since));
      await store.close();
      printRecords(subs, opts.json, {
        // The v1 shape, without the token and its secret.
        json: ({ id, profile, credentials, since }) => ({
          uri: id,
          profile,
          postNoticeUrl: credentials.postNoticeUrl,
          updateProfileUrl: credentials.updateProfileUrl,
          subscribedAt: since,
        }),
        empty: "No subscribers yet.",
        header: ["URI", "NICKNAME", "PROFILE", "SINCE"],
        row: (s) => [s.id, s.profile.nickname, s.profile.profile, s.since],
      });
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
      await removeInStoreOrSidecar(await configFrom(opts), {
        command: "remove-subscriber",
        uri,
        url: opts.url,
        local: (store) => store.removeFollower(uri),
        notFound: () =>
          new CliError(
            `eleventy-federation: no subscriber with URI ${uri}. \`eleventy-federation subscribers\` lists them.`,
          ),
      });
      process.stdout.write(`Removed ${uri}.\n`);
    });
}
