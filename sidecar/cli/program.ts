/** The `eleventy-federation` command line as a commander program: every command registered. */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { registerDeliver } from "./deliver.js";
import { registerFollowRequests } from "./follow-requests.js";
import { registerFollowing } from "./following.js";
import { registerHashPassword } from "./hash-password.js";
import { registerServe } from "./serve.js";
import { registerStatus } from "./status.js";
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
  return program;
}
