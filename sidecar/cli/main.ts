#!/usr/bin/env node
import { Command } from "commander";
import { registerFollowing } from "./following.js";
import { registerDeliver } from "./deliver.js";
import { registerHashPassword } from "./hash-password.js";
import { runCli } from "./run.js";
import { registerServe } from "./serve.js";
import { registerStatus } from "./status.js";
import { registerSubscribers } from "./subscribers.js";
import { registerSync } from "./sync.js";

const program = new Command("eleventy-federation")
  .description("Federation sidecar for an Eleventy site: OpenMicroBlogging 0.1 in both directions.")
  .showHelpAfterError();

registerServe(program);
registerHashPassword(program);
registerSubscribers(program);
registerSync(program);
registerStatus(program);
registerDeliver(program);
registerFollowing(program);

await runCli(program, process.argv);
