/** The `eleventy-federation` command line as a commander program: every command registered. */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { registerDeliver } from "./deliver.js";
import { registerFollowRequests } from "./follow-requests.js";
import { registerFollowing } from "./following.js";
import { registerHashPassword } from "./hash-password.js";
import { registerMigrate } from "./migrate.js";
import { registerModeration } from "./moderation.js";
import { registerServe } from "./serve.js";
import { registerStatus } from "./status.js";
import { registerStoreCopy } from "./store-copy.js";
import { registerSubscribers } from "./subscribers.js";
import { registerSync } from "./sync.js";

export function createProgram(): Command {
  const program = new Command("eleventy-federation")
    .description(
      "Federation sidecar for an Eleventy site: OpenMicroBlogging 0.1 in both directions.",
    )
    .version(VERSION, "-V, --version", "print the version and exit")
    .showHelpAfterError();
  registerServe(program);
  registerHashPassword(program);
  registerSubscribers(program);
  registerFollowing(program);
  registerSync(program);
  registerStatus(program);
  registerDeliver(program);
  registerFollowRequests(program);
  registerMigrate(program);
  registerStoreCopy(program);
  registerModeration(program);
  for (const group of program.commands) showDefaultOptions(group);
  return program;
}

/**
 * `subscribers --help` and the like: a group whose default command is `list` shows that
 * command's options too (`--json`, `--config`), since `subscribers --json` runs it.
 */
function showDefaultOptions(group: Command): void {
  const list = group.commands.find((c) => c.name() === "list");
  if (!list) return;
  group.addHelpText("after", () => {
    const options = list
      .createHelp()
      .visibleOptions(list)
      .map((o) => `  ${o.flags.padEnd(22)} ${o.description}`);
    return `\nWithout a command it runs \`${group.name()} list\`, whose options are:\n${options.join("\n")}`;
  });
}
