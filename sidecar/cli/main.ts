#!/usr/bin/env node
/** The `eleventy-federation` executable: registers every CLI command and runs the one asked for. */
import { createProgram } from "./program.js";
import { runCli } from "./run.js";

await runCli(createProgram(), process.argv);
