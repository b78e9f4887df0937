// What a sidecar does when it starts, before the first request: it writes inbox.json again
// from the store (the debounced export of the process before it may have died with it), and
// takes the sync baseline when the store has followers but never synced.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import type { InboxExport } from "../contract/inbox-export.js";
import { parseConfig } from "../sidecar/config.js";
import { createLogger } from "../sidecar/log.js";
import { startSidecar } from "../sidecar/server.js";
import { openStore } from "../sidecar/store/open.js";
import type { Store } from "../sidecar/store/store.js";
import { fakeSubscriber } from "./helpers/fixtures.js";
import { readStore } from "./helpers/read-store.js";
import { testManifest, writeManifest } from "./helpers/receiver-manifest.js";

const SITE = "https://site.example/";
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A data folder whose store was written by `fill` (a process before this one). */
async function folder(fill: (s: Store) => Promise<void>) {
  const dir = await mkdtemp(path.join(tmpdir(), "start-up-"));
  dirs.push(dir);
  const dataFile = path.join(dir, "store.json");
  const store = await openStore(dataFile, { fsync: false });
  await fill(store);
  await store.close();
  return { dir, dataFile, inboxFile: path.join(dir, "inbox.json") };
}

async function start(dir: string, dataFile: string, extra: Record<string, unknown> = {}) {
  const config = parseConfig(
    { siteUrl: SITE, publicUrl: SITE, port: 0, dataFile, fsync: false, ...extra },
    "test",
    dir,
    {},
  );
  return startSidecar(config, { log: createLogger("silent") });
}

const notice = (i: number) => ({
  protocol: "omb" as const,
  uri: `https://author.example/notice/${i}`,
  listeneeUri: "https://author.example/user/1",
  content: `notice ${i}`,
  url: `https://author.example/notice/${i}`,
  license: "https://creativecommons.org/licenses/by/3.0/",
  receivedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
});

test("inbox.json is written at start from the store, before the sidecar answers", async () => {
  const f = await folder(async (s) => {
    for (let i = 0; i < 5; i++) assert.ok(await s.addInbox(notice(i)));
  });
  await assert.rejects(stat(f.inboxFile), "no export yet: the process before died first");
  const running = await start(f.dir, f.dataFile);
  try {
    const exported = JSON.parse(await readFile(f.inboxFile, "utf8")) as InboxExport;
    assert.deepEqual(
      exported.inbox.map((n) => n.uri).sort(),
      [0, 1, 2, 3, 4].map((i) => notice(i).uri),
    );
  } finally {
    await running.close();
  }
});

test("an empty store writes no inbox.json at start", async () => {
  const f = await folder(async () => {});
  const running = await start(f.dir, f.dataFile);
  await running.close();
  await assert.rejects(stat(f.inboxFile));
});

test("followers but no sync yet: the baseline is taken at start, so the next post is sent", async () => {
  const f = await folder(async (s) => {
    await s.saveFollower(fakeSubscriber(1));
  });
  const manifestFile = path.join(f.dir, "manifest.json");
  await writeManifest(manifestFile, testManifest(SITE, [1, 2]));
  const running = await start(f.dir, f.dataFile, { manifest: manifestFile });
  try {
    await running.ctx.syncer.idle();
    for (let i = 0; i < 100 && !(await running.ctx.store.syncState()).initialized; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await running.ctx.syncer.idle();
    }
    const state = await running.ctx.store.syncState();
    assert.equal(state.initialized, true);
    assert.equal(state.lastSyncSource, "start");
    await writeManifest(manifestFile, testManifest(SITE, [1, 2, 3]));
    const next = await running.ctx.syncer.run("test");
    assert.equal(next.outcome, "synced");
    assert.equal(next.newNotices, 1, "the post published after the start is sent");
  } finally {
    await running.close();
  }
  const published = await readStore(f.dataFile, async (s) => (await s.publishedPosts()).size);
  assert.equal(published, 3);
});
