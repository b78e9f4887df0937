/**
 * Drafts never federate: a manifest written by `eleventy --serve` / `--watch` (it says so in
 * `runMode`) is refused by every way a sync starts (hook, poll, CLI), leaves nothing behind
 * (no entries, no first-run archive), and is reported where sync results are; the next
 * manifest from a build is synced as usual.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { signHook } from "../contract/hook-signature.js";
import type { Manifest } from "../contract/manifest.js";
import { SIDECAR_PATHS } from "../contract/public-paths.js";
import { type FileConfig, loadConfig } from "../sidecar/config.js";
import { createLogger } from "../sidecar/log.js";
import { type RunningSidecar, startSidecar } from "../sidecar/server.js";
import { ombFollower } from "./helpers/fixtures.js";
import { startReceiver, type TestReceiver, waitFor } from "./helpers/receiver.js";
import { testManifest, testNotice, writeManifest } from "./helpers/receiver-manifest.js";
import { cli } from "./helpers/serve-process.js";

const SITE = "https://site.example/";
const SECRET = "run-mode-secret";
const FIX = /Run a production build \(npx @11ty\/eleventy\) and deploy that/;

let dir = "";
let configFile = "";
let manifestFile = "";
let receiver: TestReceiver;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sync-run-mode-"));
  receiver = await startReceiver();
});
after(async () => {
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

/** What `eleventy --serve` writes: the posts of a build plus the drafts, marked as such. */
function served(ids: number[], mode: "serve" | "watch" = "serve"): Manifest {
  return { ...testManifest(SITE, ids), runMode: mode };
}

/** A fresh config (own data file) on `manifestFile`, polling every second if asked. */
async function setUp(name: string, poll = false) {
  const config: FileConfig = {
    siteUrl: SITE,
    publicUrl: SITE,
    port: 0,
    dataFile: `${name}.json`,
    manifest: "manifest.json",
    allowPrivateNetworks: true,
    fsync: false,
    logLevel: "warn",
    delivery: { concurrency: 2, baseDelaySeconds: 0.02, maxDelaySeconds: 0.05 },
    ...(poll ? { poll: { schedule: "* * * * * *" } } : {}),
  };
  configFile = path.join(dir, `${name}.config.json`);
  manifestFile = path.join(dir, "manifest.json");
  await writeFile(configFile, JSON.stringify(config));
  return loadConfig(configFile, { FEDERATION_HOOK_SECRET: SECRET });
}

/** The sidecar in this process, its log lines (JSON) kept. */
async function start(name: string, poll = false) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger("debug", {
    write: (s: string) => {
      lines.push(JSON.parse(s));
    },
  });
  const running = await startSidecar(await setUp(name, poll), { log });
  return { running, lines };
}

async function hook(running: RunningSidecar, body: object) {
  const text = JSON.stringify(body);
  const res = await fetch(new URL(SIDECAR_PATHS.hook, running.url), {
    method: "POST",
    headers: signHook(SECRET, text),
    body: text,
  });
  return { status: res.status, text: await res.text() };
}

async function subscribe(running: RunningSidecar, id: number) {
  const uri = `http://listener.example/user/${id}`;
  receiver.secrets.set(`t${id}`, `s${id}`);
  await running.ctx.store.saveFollower(
    ombFollower({
      uri,
      profile: { ...testManifest(SITE, []).profile, uri },
      postNoticeUrl: receiver.postNoticeUrl(id),
      updateProfileUrl: receiver.updateProfileUrl(id),
      token: `t${id}`,
      secret: `s${id}`,
      subscribedAt: new Date().toISOString(),
    }),
  );
}

test("deploy hook: a serve manifest is refused (409), no archive, no entries; a build's is synced", async () => {
  const { running, lines } = await start("hook");
  const store = running.ctx.store;
  try {
    // First run on a dev server's manifest: the archive is not taken from it.
    await writeManifest(manifestFile, served([1, 2]));
    const first = await hook(running, { n: 1 });
    assert.equal(first.status, 409, first.text);
    assert.match(first.text, /refused the manifest .*eleventy --serve/);
    assert.match(first.text, FIX);
    assert.equal((await store.syncState()).initialized, false, "no first-run archive");
    assert.equal((await store.publishedPosts()).size, 0);

    await writeManifest(manifestFile, testManifest(SITE, [1]));
    const baseline = await hook(running, { n: 2 });
    assert.equal(baseline.status, 200, baseline.text);
    assert.match(baseline.text, /"outcome":"first-sync","newNotices":0.*"archived":1/);
    assert.equal((await store.syncState()).lastSyncError, undefined);

    // A subscriber; the dev server builds a draft (post 2): refused, nothing queued.
    await subscribe(running, 1);
    const head = await store.headSeq();
    await writeManifest(manifestFile, served([1, 2], "watch"));
    const draft = await hook(running, { n: 3 });
    assert.equal(draft.status, 409, draft.text);
    assert.match(draft.text, /eleventy --watch/);
    assert.equal(await store.headSeq(), head, "no entry appended");
    assert.ok(!(await store.publishedPosts()).has(testNotice(SITE, 2).uri));
    assert.match((await store.syncState()).lastSyncError ?? "", FIX);
    const refusals = lines.filter((l) => String(l.error ?? "").includes("refused the manifest"));
    assert.equal(refusals.length, 2, "one log line per refused hook");
    assert.ok(refusals.every((l) => l.level === 40 && l.msg === "sync failed"));

    // The production build (post 3, the draft left out) goes out; the draft never did.
    await writeManifest(manifestFile, testManifest(SITE, [1, 3]));
    const built = await hook(running, { n: 4 });
    assert.equal(built.status, 200, built.text);
    assert.match(built.text, /"outcome":"synced","newNotices":1/);
    assert.equal((await store.syncState()).lastSyncError, undefined, "the refusal is cleared");
    // Deliveries follow the log in order: had the draft been queued, it would arrive first.
    await waitFor(() => receiver.notices(1).length >= 1, "the built post delivered");
    assert.deepEqual(receiver.notices(1), [testNotice(SITE, 3).uri]);
  } finally {
    await running.close();
  }
});

test("poll: a serve manifest is refused at every tick but logged once", async () => {
  await writeManifest(manifestFile, testManifest(SITE, [1]));
  const { running, lines } = await start("poll", true);
  const store = running.ctx.store;
  try {
    await waitFor(async () => (await store.syncState()).initialized, "the first poll");
    await subscribe(running, 2);
    const head = await store.headSeq();
    await writeManifest(manifestFile, served([1, 4]));
    const refused = () => lines.filter((l) => String(l.error).includes("refused the manifest"));
    await waitFor(() => refused().length >= 3, "three polls refusing the manifest", 15_000);
    assert.deepEqual(
      refused().map((l) => l.level),
      [
        40,
        ...refused()
          .slice(1)
          .map(() => 20),
      ],
      "a warning the first time, debug after",
    );
    assert.ok(!lines.some((l) => l.msg === "manifest poll failed; next tick retries"));
    assert.equal(await store.headSeq(), head);
    const state = await store.syncState();
    assert.equal(state.lastSyncSource, "poll");
    assert.match(state.lastSyncError ?? "", FIX);

    await writeManifest(manifestFile, testManifest(SITE, [1, 5]));
    await waitFor(() => receiver.notices(2).length >= 1, "the built post polled and delivered");
    assert.deepEqual(receiver.notices(2), [testNotice(SITE, 5).uri]);
  } finally {
    await running.close();
  }
});

test("CLI: sync refuses a serve manifest (alone or through the sidecar), status shows why", async () => {
  await setUp("cli");
  const env = { ...process.env, FEDERATION_HOOK_SECRET: SECRET };
  await writeManifest(manifestFile, served([1]));
  const failed = (pattern: RegExp) => (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, pattern);
    assert.match(e.stderr, FIX);
    assert.doesNotMatch(e.stderr, /unexpected error|at .*\.ts:\d+/, "no stack trace");
    return true;
  };
  await assert.rejects(cli(configFile, ["sync"], env), failed(/refused the manifest/));
  const status = await cli(configFile, ["status"], env);
  assert.match(status.stdout, /Last sync\s+\S+ \(cli\) FAILED: .*refused the manifest/);

  const running = await startSidecar(await loadConfig(configFile, env), {
    log: createLogger("silent"),
  });
  try {
    await assert.rejects(
      cli(configFile, ["sync", "--url", running.url], env),
      failed(/answered HTTP 409: .*refused the manifest/),
    );
    assert.equal((await running.ctx.store.syncState()).initialized, false);
  } finally {
    await running.close();
  }
});
