import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { signHook } from "../contract/hook-signature.js";
import { SIDECAR_PATHS } from "../contract/public-paths.js";
import { type FileConfig, parseConfig } from "../sidecar/config.js";
import { createLogger } from "../sidecar/log.js";
import { type RunningSidecar, startSidecar } from "../sidecar/server.js";
import { PollScheduleError } from "../sidecar/sync/poller.js";
import { ombFollower } from "./helpers/fixtures.js";
import { startReceiver, waitFor } from "./helpers/receiver.js";
import {
  startManifestSite,
  testManifest,
  testNotice,
  writeManifest,
} from "./helpers/receiver-manifest.js";

const SITE = "https://site.example/";
const SECRET = "hook-secret-for-tests";
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function sidecar(
  extra: Partial<FileConfig> = {},
  secret: string | null = SECRET,
): Promise<{ running: RunningSidecar; dir: string; manifestFile: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "sync-hook-"));
  dirs.push(dir);
  const manifestFile = path.join(dir, "manifest.json");
  await writeManifest(manifestFile, testManifest(SITE, [1, 2]));
  const config = parseConfig(
    {
      siteUrl: SITE,
      publicUrl: SITE,
      port: 0,
      dataFile: path.join(dir, "store.json"),
      manifest: manifestFile,
      allowPrivateNetworks: true,
      fsync: false,
      delivery: { concurrency: 4, baseDelaySeconds: 0.02, maxDelaySeconds: 0.05 },
      ...extra,
    },
    "test",
    dir,
    secret ? { hookSecret: secret } : {},
  );
  const running = await startSidecar(config, { log: createLogger("silent") });
  return { running, dir, manifestFile };
}

async function post(
  base: string,
  p: string,
  body: string,
  headers: Record<string, string> = signHook(SECRET, body),
): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
  const res = await fetch(new URL(p, base), { method: "POST", headers, body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, text, json };
}

test("deploy hook: signed requests sync, bad, stale and replayed ones are refused", async () => {
  const { running, manifestFile } = await sidecar();
  const receiver = await startReceiver();
  try {
    const base = running.url;
    const unsigned = await post(base, SIDECAR_PATHS.hook, "{}", {});
    assert.equal(unsigned.status, 401);
    assert.match(unsigned.text, /x-federation-timestamp/);
    const wrongKey = await post(base, SIDECAR_PATHS.hook, "{}", signHook("other", "{}"));
    assert.equal(wrongKey.status, 401);
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const old = await post(base, SIDECAR_PATHS.hook, "{}", signHook(SECRET, "{}", stale));
    assert.equal(old.status, 401);
    assert.equal(
      (await running.ctx.store.syncState()).initialized,
      false,
      "refused hooks did nothing",
    );

    const headers = signHook(SECRET, "{}");
    const first = await post(base, SIDECAR_PATHS.hook, "{}", headers);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.outcome, "first-sync");
    assert.equal(first.json.archived, 2);
    const replay = await post(base, SIDECAR_PATHS.hook, "{}", headers);
    assert.equal(replay.status, 401);
    assert.match(replay.text, /replay/);
    const shouted = { ...headers };
    for (const k of Object.keys(shouted))
      if (/signature/i.test(k)) shouted[k] = (shouted[k] ?? "").toUpperCase();
    const replayUpper = await post(base, SIDECAR_PATHS.hook, "{}", shouted);
    assert.equal(replayUpper.status, 401, "the same signature in capitals is the same replay");

    // a subscriber, then a deploy with two new posts
    const store = running.ctx.store;
    await store.saveFollower(
      ombFollower({
        uri: "http://listener.example/user/1",
        profile: { ...testManifest(SITE, []).profile, uri: "http://listener.example/user/1" },
        postNoticeUrl: receiver.postNoticeUrl(1),
        updateProfileUrl: receiver.updateProfileUrl(1),
        token: "t",
        secret: "s",
        subscribedAt: new Date().toISOString(),
      }),
    );
    await writeManifest(manifestFile, testManifest(SITE, [1, 2, 3, 4]));
    const second = await post(base, SIDECAR_PATHS.hook, '{"source":"test"}');
    assert.equal(second.json.outcome, "synced");
    assert.equal(second.json.newNotices, 2);
    assert.equal(second.json.destinations, 1);
    await waitFor(() => receiver.notices(1).length === 2, "delivery after the hook");
    assert.deepEqual(receiver.notices(1), [testNotice(SITE, 3).uri, testNotice(SITE, 4).uri]);
    assert.equal((await store.syncState()).lastSyncSource, "hook:test");

    await writeManifest(manifestFile, testManifest(SITE, [1, 2, 3, 4]));
    // (an identical body signed in the same second would be a replay: vary it)
    const third = await post(base, SIDECAR_PATHS.hook, '{"n":3}');
    assert.equal(third.json.newNotices, 0, "same manifest: nothing new");
    assert.deepEqual(third.json.profileChanged, []);

    const notJson = await post(base, SIDECAR_PATHS.hook, "not json");
    assert.equal(notJson.status, 400);
  } finally {
    await running.close();
    await receiver.close();
  }
});

test("deploy hook without FEDERATION_HOOK_SECRET answers 503 and says how to configure it", async () => {
  const { running } = await sidecar({}, null);
  try {
    const r = await post(running.url, SIDECAR_PATHS.hook, "{}");
    assert.equal(r.status, 503);
    assert.match(r.text, /FEDERATION_HOOK_SECRET/);
  } finally {
    await running.close();
  }
});

test("a manifest that cannot be read answers 502 and is kept as the last sync error", async () => {
  const { running, manifestFile } = await sidecar();
  try {
    await rm(manifestFile);
    const r = await post(running.url, SIDECAR_PATHS.hook, "{}");
    assert.equal(r.status, 502);
    assert.match(r.text, /cannot read the manifest file/);
    assert.match((await running.ctx.store.syncState()).lastSyncError ?? "", /manifest/);
  } finally {
    await running.close();
  }
});

test("signed commands: remove-subscriber, sync, unknown commands", async () => {
  const { running } = await sidecar();
  try {
    const store = running.ctx.store;
    await store.saveFollower(
      ombFollower({
        uri: "http://listener.example/user/9",
        profile: { ...testManifest(SITE, []).profile, uri: "http://listener.example/user/9" },
        postNoticeUrl: "http://listener.example/postnotice",
        updateProfileUrl: "http://listener.example/updateprofile",
        token: "t",
        secret: "s",
        subscribedAt: new Date().toISOString(),
      }),
    );
    const cmd = (body: object) =>
      post(running.url, SIDECAR_PATHS.hookCommand, JSON.stringify(body));
    const missing = await cmd({ command: "remove-subscriber", uri: "http://nobody.example/" });
    assert.equal(missing.status, 404);
    const removed = await cmd({
      command: "remove-subscriber",
      uri: "http://listener.example/user/9",
    });
    assert.equal(removed.status, 200);
    assert.equal((await store.followers()).length, 0);
    assert.equal((await store.destinations()).length, 0);
    const noUri = await cmd({ command: "remove-subscriber" });
    assert.equal(noUri.status, 400);
    const sync = await cmd({ command: "sync" });
    assert.equal(sync.json.outcome, "first-sync");
    const unknown = await cmd({ command: "format-disk" });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /known: .*sync/);
  } finally {
    await running.close();
  }
});

test("syncs run one at a time; requests during a sync share one more sync", async () => {
  const site = await startManifestSite(testManifest(SITE, [1]), 60);
  const { running } = await sidecar({ manifest: site.url });
  try {
    const syncer = running.ctx.syncer;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() => syncer.run("test", { conditional: true })),
    );
    assert.equal(site.stats.maxInFlight, 1);
    assert.equal(
      site.stats.full + site.stats.notModified,
      2,
      "one sync, then one more for the rest",
    );
    assert.equal(results[0]?.outcome, "first-sync");
    assert.equal(results[4]?.outcome, "not-modified", "the ETag came back: 304");
    assert.equal(results[1], results[4], "the waiting requests share the second sync");
  } finally {
    await running.close();
    await site.close();
  }
});

test("the cron poll reads the manifest with a conditional GET", async () => {
  const site = await startManifestSite(testManifest(SITE, [1]));
  const { running } = await sidecar({ manifest: site.url, poll: { schedule: "* * * * * *" } });
  try {
    await waitFor(() => site.stats.notModified >= 1, "a 304 on a later poll", 5000);
    assert.equal(site.stats.full, 1);
    assert.equal((await running.ctx.store.syncState()).lastSyncSource, "poll");
    site.set(testManifest(SITE, [1, 2]));
    await waitFor(
      async () => (await running.ctx.store.publishedPosts()).has(testNotice(SITE, 2).uri),
      "new post polled",
      5000,
    );
    assert.equal(site.stats.full, 2);
  } finally {
    await running.close();
    await site.close();
  }
});

test("an invalid poll schedule stops the start with a message naming the key", async () => {
  await assert.rejects(sidecar({ poll: { schedule: "every five minutes" } }), (e: Error) => {
    assert.ok(e instanceof PollScheduleError);
    assert.match(e.message, /poll\.schedule.*node-cron syntax/s);
    return true;
  });
});
