import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", "sidecar/cli/main.ts", ...args], {
    cwd: ROOT,
    timeout: 30_000,
  });

test("--version prints the package's version", async () => {
  const pkg = JSON.parse(await readFile(new URL("package.json", `file://${ROOT}`), "utf8"));
  const { stdout } = await run(["--version"]);
  assert.equal(stdout.trim(), pkg.version);
});

test("each subcommand's --help lists its own options", async () => {
  for (const [command, options] of [
    ["status", ["--json", "--config", "--failures"]],
    ["subscribers", ["--json", "--config"]],
    ["sync", ["--json", "--config", "--url"]],
    ["serve", ["--config", "--site", "--shutdown-timeout"]],
  ] as const) {
    const { stdout } = await run([command, "--help"]);
    for (const option of options)
      assert.ok(stdout.includes(option), `${command}: ${option}\n${stdout}`);
  }
});
