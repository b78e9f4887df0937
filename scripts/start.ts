/**
 * `npm start`: builds the example blog, then serves it with its sidecar in this same process,
 * so a signal to `npm start` (or Ctrl-C) stops everything: no `sh -c "a && b"` chain whose
 * shell dies and leaves the server running. Extra arguments go to `serve`
 * (`npm start -- --port 9090`); a later `--config` or `--site` replaces the example's.
 * Without FEDERATION_OWNER_PASSWORD_HASH, a one-time owner password is made and printed, so
 * the status page (/admin) opens from a fresh checkout.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { oneTimePassword } from "../sidecar/auth/password.js";
import { createProgram } from "../sidecar/cli/program.js";
import { runCli } from "../sidecar/cli/run.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const ELEVENTY = path.join(ROOT, "node_modules/@11ty/eleventy/cmd.cjs");

/** Eleventy's own command line, as `npm run example:build` runs it; signals reach it too. */
function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", ELEVENTY, "--config=example-site/eleventy.config.js"],
      { cwd: ROOT, stdio: "inherit" },
    );
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      if (code === 0) resolve();
      else if (signal) process.exit(128 + (signal === "SIGINT" ? 2 : 15));
      else reject(new Error(`the build of example-site/ failed (exit ${code}); see above.`));
    });
  });
}

try {
  await build();
} catch (e) {
  process.stderr.write(`npm start: ${(e as Error).message}\n`);
  process.exit(1);
}
/** The owner's own hash when set; else a password for this run, its hash given to `serve`. */
async function ownerPassword(): Promise<string | undefined> {
  if (process.env.FEDERATION_OWNER_PASSWORD_HASH) return undefined;
  const { password, hash } = await oneTimePassword();
  process.env.FEDERATION_OWNER_PASSWORD_HASH = hash;
  return password;
}

const password = await ownerPassword();
await runCli(createProgram(), [
  process.argv[0] ?? "node",
  "eleventy-federation",
  "serve",
  "--config",
  "example-site/federation.json",
  "--site",
  "example-site/_site",
  ...process.argv.slice(2),
]);
// After the ready line (the sidecar is listening), unless `serve` failed.
if (password && !process.exitCode) {
  process.stdout.write(
    `Owner password for this run: ${password} (npm start made it, as FEDERATION_OWNER_PASSWORD_HASH is not set; a new one at every start). Log in on the status page above.\n`,
  );
}
