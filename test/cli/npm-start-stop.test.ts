/** `npm start` stops as one process tree: SIGTERM to npm's pid leaves nothing answering or running. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
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

test("SIGTERM to `npm start` stops the server and every process under it", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "npm-start-"));
  const config = path.join(dir, "federation.json");
  // The example's config, but its own data file (a developer's `npm start` may hold that one).
  await writeFile(
    config,
    JSON.stringify({
      siteUrl: "http://localhost:8080/",
      publicUrl: "http://localhost:8080/",
      host: "127.0.0.1",
      port: 8080,
      dataFile: path.join(dir, "store.json"),
      manifest: path.join(ROOT, "example-site/_site/federation/manifest.json"),
      allowPrivateNetworks: true,
      fsync: false,
    }),
  );
  const npm = spawn("npm", ["start", "--", "--config", config, "--port", "0"], {
    cwd: ROOT,
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
    const ready = await waitUntil(() => /listening on http:\/\/\S+\//.test(output), 120_000);
    assert.ok(ready, `npm start did not get ready:\n${output.slice(-3000)}`);
    const url = /listening on (http:\/\/\S+?\/)(?:"|\s|$)/m.exec(output)?.[1] ?? "";
    assert.ok(await answers(`${url}healthz`), `nothing answers on ${url}`);
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
