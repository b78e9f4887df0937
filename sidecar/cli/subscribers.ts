import type { Command } from "commander";
import { CliError, CONFIG_OPTION, configFrom, openStore, printTable } from "./run.js";

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
    .description("remove a subscriber; they get no more notices (run while the sidecar is stopped)")
    .option(...CONFIG_OPTION)
    .action(async (uri: string, opts: { config: string }) => {
      const store = await openStore(await configFrom(opts), "write");
      try {
        if (!(await store.removeSubscriber(uri))) {
          throw new CliError(
            `eleventy-federation: no subscriber with URI ${uri}. \`eleventy-federation subscribers\` lists them.`,
          );
        }
        process.stdout.write(`Removed ${uri}.\n`);
      } finally {
        await store.close();
      }
    });
}
