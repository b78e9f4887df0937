/**
 * Ctrl-C / SIGTERM with connections open: a half-sent request and an idle keep-alive
 * connection do not keep `serve` alive, a request that outlasts `--shutdown-timeout` is cut
 * there, a second signal exits at once, and the store is flushed and unlocked every time
 * but the last. Each wait for an exit is a hang detector (30 s), not a timing assertion.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { signHook } from "../contract/hook-signature.js";
import { SIDECAR_PATHS } from "../contract/public-paths.js";
import type { FileConfig } from "../sidecar/config.js";
import { openStore } from "../sidecar/store/open.js";
import { waitFor } from "./helpers/receiver.js";
import { testManifest, writeManifest } from "./helpers/receiver-manifest.js";
import { CLI, type NodeProcess, startNode } from "./helpers/serve-process.js";

const SITE = "https://site.example/";
const SECRET = "shutdown-secret";
/** Longer than any wait here: only the shutdown itself can end these connections. */
const LONG_MS = 120_000;

let dir = "";
let hungSite: Server;
let hungRequests = 0;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "serve-shutdown-"));
  await writeManifest(path.join(dir, "manifest.json"), testManifest(SITE, [1, 2]));
  // A site whose manifest never comes: a sync reading it stays in flight.
  hungSite = createServer(() => {
    hungRequests++;
  });
  await new Promise<void>((resolve) => hungSite.listen(0, "127.0.0.1", resolve));
});
after(async () => {
  hungSite.closeAllConnections();
  await new Promise((resolve) => hungSite.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** `serve` on its own data file, JSON log lines, `--shutdown-timeout seconds`. */
async function serve(name: string, seconds: number, manifest = "manifest.json") {
  const config: FileConfig = {
    siteUrl: SITE,
    publicUrl: SITE,
    port: 0,
    dataFile: `${name}.json`,
    manifest,
    allowPrivateNetworks: true,
    logLevel: "info",
    limits: { headersTimeoutMs: LONG_MS, requestTimeoutMs: LONG_MS, keepAliveTimeoutMs: LONG_MS },
  };
  const configFile = path.join(dir, `${name}.config.json`);
  await writeFile(configFile, JSON.stringify(config));
  const args = ["serve", "--config", configFile, "--log-format", "json"];
  const proc = await startNode(CLI, [...args, "--shutdown-timeout", String(seconds)], {
    name: "sidecar",
    ready: /listening on (http:\/\/\S+\/)/,
    readyOn: "stderr",
    env: { ...process.env, FEDERATION_HOOK_SECRET: SECRET },
  });
  return { proc, url: proc.ready[1] ?? "", dataFile: path.join(dir, `${name}.json`) };
}

function hook(url: string, body: object): Promise<Response> {
  const text = JSON.stringify(body);
  return fetch(new URL(SIDECAR_PATHS.hook, url), {
    method: "POST",
    headers: signHook(SECRET, text),
    body: text,
  });
}

/** A raw connection to the sidecar; resolves once connected. */
function rawSocket(
  url: string,
): Promise<Socket & { ended: Promise<void>; received: () => string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let received = "";
    const s = connect(Number(port), hostname);
    const ended = new Promise<void>((done) => s.once("close", () => done()));
    s.setEncoding("utf8").on("data", (c: string) => {
      received += c;
    });
    // (an error after the connect, such as a reset at the shutdown, just ends it)
    s.on("error", reject);
    s.once("connect", () => resolve(Object.assign(s, { ended, received: () => received })));
  });
}

/** Waits for the exit, at most 30 s (then SIGKILL and fail): a hang detector. */
async function exitOf(proc: NodeProcess, what: string) {
  const exited = await Promise.race([
    proc.exited.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 30_000).unref()),
  ]);
  if (!exited) {
    await proc.kill();
    assert.fail(`${what}: still running 30 s after the signal:\n${proc.stderr().slice(-3000)}`);
  }
  return proc.exitStatus();
}

/** The JSON log lines' messages. */
const messages = (proc: NodeProcess) =>
  proc
    .stderr()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => String((JSON.parse(l) as { msg?: unknown }).msg));

/** The store was closed (its lock released: it opens for writing) and holds the sync. */
async function assertStoreFlushed(dataFile: string, published: number) {
  const store = await openStore(dataFile, { fsync: false });
  try {
    assert.equal((await store.syncState()).initialized, true);
    assert.equal((await store.publishedPosts()).size, published);
  } finally {
    await store.close();
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} with a half-sent request and an idle keep-alive connection: exit 0, store flushed`, async () => {
    // A deadline longer than the hang detector: the exit must not wait for it.
    const { proc, url, dataFile } = await serve(`idle-${signal}`, 60);
    try {
      const synced = await hook(url, { n: 1 });
      assert.equal(synced.status, 200, await synced.text());
      const partial = await rawSocket(url);
      partial.write(`POST ${SIDECAR_PATHS.hook} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty`);
      const idle = await rawSocket(url);
      idle.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      await waitFor(() => idle.received().includes("\r\n\r\nok"), "the keep-alive answer");
      assert.match(idle.received(), /keep-alive/i);

      process.kill(proc.pid, signal);
      // Twice at once, as `npm start` in a terminal gets Ctrl-C: still one clean shutdown.
      process.kill(proc.pid, signal);
      const status = await exitOf(proc, signal);
      assert.deepEqual(status, { code: 0, signal: null }, proc.stderr().slice(-3000));
      await Promise.all([partial.ended, idle.ended]);
      // (the last of its output may be read after its exit)
      await waitFor(() => messages(proc).includes("sidecar stopped"), "the last log line");
      const said = messages(proc);
      assert.ok(
        said.some((m) => m.startsWith(`${signal}: shutting down`)),
        said.join("\n"),
      );
      assert.ok(
        said.some((m) => /^closing the 1 connection\(s\) left/.test(m)),
        said.join("\n"),
      );
      await assertStoreFlushed(dataFile, 2);
    } finally {
      await proc.kill();
    }
  });
}

test("a request that outlasts --shutdown-timeout is cut there; the store is still flushed", async () => {
  const hungUrl = `http://127.0.0.1:${(hungSite.address() as AddressInfo).port}/manifest.json`;
  const { proc, url, dataFile } = await serve("deadline", 60);
  // A first sync from the file, then the config points at the site that never answers.
  const synced = await hook(url, { n: 1 });
  assert.equal(synced.status, 200);
  await proc.stop();
  const late = await serve("deadline", 1, hungUrl);
  try {
    const before = hungRequests;
    const inFlight = hook(late.url, { n: 2 }).then(
      (r) => r.status,
      () => "connection closed",
    );
    await waitFor(() => hungRequests > before, "the sync reading the manifest");
    process.kill(late.proc.pid, "SIGINT");
    const status = await exitOf(late.proc, "SIGINT with a request in flight");
    assert.deepEqual(status, { code: 0, signal: null }, late.proc.stderr().slice(-3000));
    await waitFor(() => messages(late.proc).includes("sidecar stopped"), "the last log line");
    const said = messages(late.proc);
    assert.ok(
      said.some((m) =>
        m.includes("waiting at most 1 s for 1 request(s) in flight (POST /hooks/deploy)"),
      ),
      said.join("\n"),
    );
    assert.ok(
      said.some((m) => /^shutdown: 1 s passed, not waiting any longer for 1 request/.test(m)),
    );
    assert.equal(await inFlight, "connection closed");
    await assertStoreFlushed(dataFile, 2);
  } finally {
    await late.proc.kill();
  }
});

test("a second Ctrl-C, a moment later, exits at once (130) while the shutdown waits", async () => {
  const hungUrl = `http://127.0.0.1:${(hungSite.address() as AddressInfo).port}/manifest.json`;
  const { proc, url } = await serve("forced", 60, hungUrl);
  try {
    const before = hungRequests;
    void hook(url, { n: 1 }).catch(() => undefined);
    await waitFor(() => hungRequests > before, "the sync reading the manifest");
    process.kill(proc.pid, "SIGINT");
    await waitFor(
      () => messages(proc).some((m) => m.startsWith("shutting down: waiting")),
      "the shutdown waiting for the request",
    );
    // A signal within a second of the first is taken as the same one (see the test above).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    process.kill(proc.pid, "SIGINT");
    const status = await exitOf(proc, "the second SIGINT");
    assert.deepEqual(status, { code: 130, signal: null }, proc.stderr().slice(-3000));
    assert.ok(messages(proc).some((m) => m.startsWith("SIGINT again: exiting now")));
  } finally {
    await proc.kill();
  }
});
