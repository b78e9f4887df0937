import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type FileConfig, loadConfig } from "../sidecar/config.js";
import { createLogger } from "../sidecar/log.js";
import { startSidecar } from "../sidecar/server.js";
import { openStore } from "../sidecar/store/open.js";
import type { Store } from "../sidecar/store/store.js";
import { ombDestination, ombFollower } from "./helpers/fixtures.js";
import { startReceiver, type TestReceiver } from "./helpers/receiver.js";
import { testManifest, writeManifest } from "./helpers/receiver-manifest.js";

/** The sync, status, deliver and subscribers-remove commands, as a shell runs them. */

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CLI = path.join(ROOT, "sidecar/cli/main.ts");
const SITE = "https://site.example/";
const SECRET = "cli-test-secret";

let dir = "";
let configFile = "";
let dataFile = "";
let manifestFile = "";
let receiver: TestReceiver;

function cli(args: string[], env: Record<string, string> = {}) {
  const { FEDERATION_HOOK_SECRET: _drop, ...base } = process.env;
  return promisify(execFile)(
    process.execPath,
    ["--import", "tsx", CLI, ...args, "--config", configFile],
    { timeout: 30_000, env: { ...base, ...env } },
  );
}

async function inStore<T>(fn: (s: Store) => Promise<T> | T, readOnly = false): Promise<T> {
  const s = await openStore(dataFile, { readOnly, fsync: false });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sync-cli-"));
  receiver = await startReceiver();
  configFile = path.join(dir, "config.json");
  dataFile = path.join(dir, "store.json");
  manifestFile = path.join(dir, "manifest.json");
  const config: FileConfig = {
    siteUrl: SITE,
    publicUrl: SITE,
    port: 0,
    dataFile: "store.json",
    manifest: "manifest.json",
    allowPrivateNetworks: true,
    fsync: false,
    logLevel: "warn",
    delivery: { concurrency: 2, baseDelaySeconds: 0.05, maxDelaySeconds: 0.1 },
  };
  await writeFile(configFile, JSON.stringify(config));
  await writeManifest(manifestFile, testManifest(SITE, [1]));
  await inStore(async (s) => {
    for (const i of [0, 1]) {
      const uri = `http://listener.example/user/${i}`;
      receiver.secrets.set(`t${i}`, `s${i}`);
      await s.saveFollower(
        ombFollower({
          uri,
          profile: { ...testManifest(SITE, []).profile, uri },
          postNoticeUrl: receiver.postNoticeUrl(i),
          updateProfileUrl: receiver.updateProfileUrl(i),
          token: `t${i}`,
          secret: `s${i}`,
          subscribedAt: new Date().toISOString(),
        }),
      );
    }
  });
});

after(async () => {
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("CLI without a running sidecar", () => {
  it("sync: the first run archives, a later one queues new posts and says how to send them", async () => {
    const first = await cli(["sync"]);
    assert.match(first.stdout, /First sync.*1 existing notice\(s\) recorded as already published/);
    await writeManifest(manifestFile, testManifest(SITE, [1, 2, 3]));
    const second = await cli(["sync"]);
    assert.match(second.stdout, /2 new notice\(s\), profile unchanged, for 2 destination/);
    assert.match(second.stdout, /eleventy-federation deliver/);
    assert.equal(receiver.pushes.length, 0, "sync alone sends nothing");
  });

  it("status shows what is pending", async () => {
    const { stdout } = await cli(["status"]);
    assert.match(stdout, /Subscribers\s+2/);
    assert.match(stdout, /Pending\s+4 deliveries/);
    assert.match(stdout, /Last sync\s+\S+ \(cli\) ok/);
  });

  it("deliver drains the queue; a failing destination is reported and shown by status", async () => {
    receiver.setMode("500", 1);
    await assert.rejects(
      cli(["deliver", "--no-progress"]),
      (e: { code: number; stdout: string }) => {
        assert.equal(e.code, 2);
        assert.match(e.stdout, /Delivered 2, .*failed 1 .*Still pending: 2/s);
        return true;
      },
    );
    assert.equal(receiver.notices(0).length, 2);
    const { stdout } = await cli(["status"]);
    assert.match(stdout, /Failing destinations[\s\S]*\/r\/1\/postnotice\s+1\s+.*HTTP 500/);
    receiver.setMode("ok", 1);
    const ok = await cli(["deliver", "--no-progress"]);
    assert.match(ok.stdout, /Delivered 2,.*Still pending: 0/);
    assert.equal(receiver.notices(1).length, 2);
    const nothing = await cli(["deliver"]);
    assert.match(nothing.stdout, /Nothing to deliver/);
  });

  it("deliver --include-gave-up revives a given-up destination", async () => {
    await writeManifest(manifestFile, testManifest(SITE, [1, 2, 3, 4]));
    await cli(["sync"]);
    await inStore(async (s) => {
      const d = await s.destination(ombDestination(receiver.postNoticeUrl(0)));
      assert.ok(d);
      await s.updateDestination({ ...d, gaveUpAt: new Date().toISOString(), attempts: 9 });
    });
    const skip = await cli(["deliver", "--no-progress"]);
    assert.match(skip.stdout, /Delivered 1,/);
    const revived = await cli(["deliver", "--no-progress", "--include-gave-up"]);
    assert.match(revived.stdout, /Delivered 1,.*Still pending: 0/);
    assert.equal(receiver.notices(0).length, 3);
  });

  it("subscribers remove works on the store directly", async () => {
    await cli(["subscribers", "remove", "http://listener.example/user/1"]);
    assert.equal(await inStore(async (s) => (await s.followers()).length, true), 1);
  });
});

describe("CLI beside a running sidecar", () => {
  it("sync and subscribers remove go through the signed hook; without the secret they say why", async () => {
    const config = await loadConfig(configFile, { FEDERATION_HOOK_SECRET: SECRET });
    const running = await startSidecar(config, { log: createLogger("silent") });
    try {
      const url = ["--url", running.url];
      await assert.rejects(cli(["sync", ...url]), (e: { code: number; stderr: string }) => {
        assert.equal(e.code, 1);
        assert.match(e.stderr, /sidecar is running.*FEDERATION_HOOK_SECRET/s);
        return true;
      });
      const env = { FEDERATION_HOOK_SECRET: SECRET };
      const synced = await cli(["sync", ...url], env);
      assert.match(synced.stdout, /by the running sidecar/);
      await assert.rejects(cli(["sync", ...url], { FEDERATION_HOOK_SECRET: "wrong" }), /HTTP 401/);
      await cli(["subscribers", "remove", "http://listener.example/user/0", ...url], env);
      assert.equal((await running.ctx.store.followers()).length, 0);
      await assert.rejects(
        cli(["subscribers", "remove", "http://listener.example/user/0", ...url], env),
        /no subscriber with URI/,
      );
      const status = await cli(["status"]);
      assert.match(status.stdout, /Subscribers\s+0/);
    } finally {
      await running.close();
    }
  });
});
