#!/usr/bin/env node
import { Command } from "commander";
import { registerFollowing } from "./following.js";
import { registerHashPassword } from "./hash-password.js";
import { runCli } from "./run.js";
import { registerServe } from "./serve.js";
import { registerSubscribers } from "./subscribers.js";

const program = new Command("eleventy-federation")
  .description("Federation sidecar for an Eleventy site: OpenMicroBlogging 0.1 in both directions.")
  .showHelpAfterError();

registerServe(program);
registerHashPassword(program);
registerSubscribers(program);
registerFollowing(program);

await runCli(program, process.argv);
