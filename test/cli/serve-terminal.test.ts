/** What `serve` prints: readable lines on a terminal, JSON lines elsewhere; --port and --host win over the config. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { freePort } from "../../scripts/demo-sites.js";
import { CLI, ROOT } from "../helpers/serve-process.js";
import { descendants, running, waitUntil } from "./process-tree.js";

let dir: string;
let config: string;
let site: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "serve-terminal-"));
  config = path.join(dir, "federation.json");
  site = path.join(dir, "site");
  await mkdir(site);
  await writeFile(
    config,
    JSON.stringify({
      siteUrl: "http://localhost:8080/",
      publicUrl: "http://localhost:8080/",
      // Not what the tests listen on: --host and --port must replace them.
      host: "127.0.0.2",
      port: 8080,
      dataFile: path.join(dir, "store.json"),
      fsync: false,
      logLevel: "warn",
    }),
  );
});
after(() => rm(dir, { recursive: true, force: true }));

/**
 * Runs `serve` until its ready line, then SIGTERMs it and returns what it wrote. `tty`: under
 * `script`, so stdout and stderr are a terminal (a pseudo-terminal), as in a shell.
 */
async function serveOutput(args: string[], tty: boolean): Promise<string> {
  const node = [process.execPath, "--import", "tsx", CLI, "serve", "--config", config, ...args];
  const quoted = node.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const child = tty
    ? spawn("script", ["-qec", `exec ${quoted}`, "/dev/null"], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1" },
        stdio: ["pipe", "pipe", "pipe"],
      })
    : spawn(node[0] ?? "node", node.slice(1), {
        cwd: ROOT,
        env: process.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    out += c;
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    out += c;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const ready = await waitUntil(() => /listening on http/.test(out), 30_000);
    assert.ok(ready, `serve did not get ready:\n${out.slice(-3000)}`);
    for (const pid of descendants(child.pid ?? 0)) process.kill(pid, "SIGTERM");
    if (!tty) child.kill("SIGTERM");
    await waitUntil(() => child.exitCode !== null || child.signalCode !== null, 20_000);
  } finally {
    for (const pid of descendants(child.pid ?? 0)) if (running(pid)) process.kill(pid, "SIGKILL");
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  }
  return out.replaceAll("\r\n", "\n");
}

const lines = (out: string) => out.split("\n").filter((l) => l.trim() !== "");

test("not a terminal: every line is JSON, the ready line with its parts as fields", async () => {
  const port = await freePort();
  const out = await serveOutput(
    ["--site", site, "--host", "127.0.0.1", "--port", String(port)],
    false,
  );
  const records = lines(out).map((l) => JSON.parse(l) as Record<string, unknown>);
  const ready = records.find((r) => String(r.msg).startsWith("ready:"));
  assert.ok(ready, out);
  assert.equal(ready.open, `http://localhost:${port}/`);
  assert.equal(ready.statusPage, `http://localhost:${port}/admin`);
  assert.equal(ready.listening, `http://127.0.0.1:${port}/`);
  assert.match(String(ready.login), /npm run --silent hash-password/);
});

test("a terminal: readable lines, one ready line with the site's own URL and the status page", async () => {
  const port = await freePort();
  const out = await serveOutput(
    ["--site", site, "--host", "127.0.0.1", "--port", String(port)],
    true,
  );
  assert.deepEqual(
    lines(out).filter((l) => l.startsWith("{")),
    [],
    `no JSON on a terminal:\n${out}`,
  );
  const ready = lines(out).filter((l) => l.includes("ready:"));
  assert.equal(ready.length, 1, out);
  assert.match(
    ready[0] ?? "",
    new RegExp(
      `INFO: ready: open http://localhost:${port}/ · status page http://localhost:${port}/admin, owner login not set up: run \`npm run --silent hash-password\``,
    ),
  );
  assert.match(ready[0] ?? "", new RegExp(`listening on http://127\\.0\\.0\\.1:${port}/$`));
});

test("a terminal with --log-format json: JSON lines all the same", async () => {
  const out = await serveOutput(
    ["--host", "127.0.0.1", "--port", "0", "--log-format", "json"],
    true,
  );
  for (const l of lines(out)) assert.doesNotThrow(() => JSON.parse(l), l);
  assert.match(
    out,
    /"msg":"ready: sidecar for http:\/\/localhost:8080\/ · status page http:\/\/localhost:\d+\/admin/,
  );
});
