/**
 * `npm start` from a checkout: it prints a one-time owner password that logs in to /admin,
 * and it stops as one process tree (SIGTERM to npm's pid leaves nothing answering or running).
 * One test, because each `npm start` builds the example site.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { freePort } from "../../scripts/demo-sites.js";
import { Browser } from "../helpers/remote-listenee-browser.js";
import { logIn } from "../helpers/remote-listenee-flow.js";
import { ROOT } from "../helpers/serve-process.js";
import { descendants, running, waitUntil } from "./process-tree.js";

/** Answers at all (any HTTP status), within a second. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** The owner's status page after logging in with `password`; asserts each step's answer. */
async function statusPageWith(url: string, password: string): Promise<string> {
  const browser = new Browser();
  const before = await browser.get(`${url}admin`);
  assert.equal(before.status, 303, `/admin sends a visitor to the login page:\n${before.body}`);
  const loggedIn = await logIn(browser, `${url}admin/login`, password);
  assert.equal(loggedIn.status, 303, `the printed password logs in:\n${loggedIn.body}`);
  const status = await browser.get(`${url}admin`);
  assert.equal(status.status, 200, status.body);
  return status.body;
}

test("`npm start` prints an owner password that logs in; SIGTERM stops every process under it", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "npm-start-"));
  const config = path.join(dir, "federation.json");
  // The public URL is where the test reaches it: the login form posts there.
  const port = await freePort();
  const base = `http://localhost:${port}/`;
  // The example's config, but its own data file (a developer's `npm start` may hold that one).
  await writeFile(
    config,
    JSON.stringify({
      siteUrl: base,
      publicUrl: base,
      host: "127.0.0.1",
      port,
      dataFile: path.join(dir, "store.json"),
      manifest: path.join(ROOT, "example-site/_site/federation/manifest.json"),
      allowPrivateNetworks: true,
      fsync: false,
    }),
  );
  const npm = spawn("npm", ["start", "--", "--config", config], {
    cwd: ROOT,
    // As in a fresh checkout: no owner password set.
    env: { ...process.env, FEDERATION_OWNER_PASSWORD_HASH: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  npm.stdout.setEncoding("utf8").on("data", (c: string) => {
    output += c;
  });
  npm.stderr.setEncoding("utf8").on("data", (c: string) => {
    output += c;
  });
  const exited = new Promise<void>((resolve) => npm.once("exit", () => resolve()));
  let tree: number[] = [];
  try {
    const passwordLine = /Owner password for this run: (\S+)/;
    const ready = await waitUntil(
      () => /listening on http:\/\/\S+\//.test(output) && passwordLine.test(output),
      120_000,
    );
    assert.ok(ready, `npm start did not get ready and print a password:\n${output.slice(-3000)}`);
    const url = /listening on (http:\/\/\S+?\/)(?:"|\s|$)/m.exec(output)?.[1] ?? "";
    assert.ok(await answers(`${url}healthz`), `nothing answers on ${url}`);
    const password = passwordLine.exec(output)?.[1] ?? "";
    assert.match(await statusPageWith(base, password), /Federation status of/);
    const wrong = await logIn(new Browser(), `${base}admin/login`, `${password}x`);
    assert.equal(wrong.status, 401, "another password does not log in");
    tree = descendants(npm.pid ?? 0);
    assert.ok(tree.length > 0, "npm start runs its script in a child process");

    npm.kill("SIGTERM");
    await waitUntil(() => npm.exitCode !== null || npm.signalCode !== null, 20_000);
    await waitUntil(() => tree.every((pid) => !running(pid)), 20_000);
    assert.deepEqual(
      tree.filter(running),
      [],
      `processes left running after SIGTERM to npm:\n${output.slice(-2000)}`,
    );
    assert.equal(await answers(`${url}healthz`), false, `${url} still answers`);
  } finally {
    for (const pid of [...tree, ...descendants(npm.pid ?? 0)]) {
      if (running(pid)) process.kill(pid, "SIGKILL");
    }
    if (npm.exitCode === null && npm.signalCode === null) npm.kill("SIGKILL");
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
});
