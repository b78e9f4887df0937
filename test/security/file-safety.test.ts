/** The store never lands in the served site, its files are 0600, and --site serves nothing outside itself. */
import assert from "node:assert/strict";
import { chmod, cp, mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createApp } from "../../sidecar/app.js";
import { parseConfig } from "../../sidecar/config.js";
import { createLogger } from "../../sidecar/log.js";
import { composeSidecar, startSidecar } from "../../sidecar/server.js";
import { DataInSiteError } from "../../sidecar/site-dir-check.js";
import { openJsonStore } from "../../sidecar/store/json/json-store.js";
import { openStore } from "../../sidecar/store/open.js";

const V1_FIXTURE = fileURLToPath(new URL("../fixtures/store-v1/", import.meta.url));
let dir: string;
let site: string;
const umask = process.umask(0o022); // what most systems use: without the fix, files come out 0644

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ef-files-"));
  site = path.join(dir, "site");
  await mkdir(path.join(site, "sub"), { recursive: true });
  await mkdir(path.join(dir, "outside"));
  await writeFile(path.join(site, "index.html"), "<title>home</title>");
  await writeFile(path.join(site, "about.html"), "<title>about</title>");
  await writeFile(path.join(dir, "outside", "secret.txt"), "SECRET");
  await writeFile(path.join(dir, "outside", "index.html"), "SECRET");
});
after(async () => {
  process.umask(umask);
  await rm(dir, { recursive: true, force: true });
});

const mode = async (file: string) => ((await stat(file)).mode & 0o777).toString(8);

function config(dataFile: string) {
  const raw = { siteUrl: "http://127.0.0.1/", publicUrl: "http://127.0.0.1/", dataFile, port: 0 };
  return parseConfig({ ...raw, logLevel: "silent" }, "test", dir, {});
}

async function refused(dataFile: string, siteDir = site): Promise<string> {
  const start = startSidecar(config(dataFile), { siteDir, log: createLogger("silent") });
  const e = await start.then(
    async (running) => {
      await running.close();
      assert.fail(`started with dataFile ${dataFile}`);
    },
    (err: unknown) => err,
  );
  assert.ok(e instanceof DataInSiteError, String(e));
  return e.message;
}

test("a dataFile inside the --site folder is refused before the store is opened", async () => {
  const message = await refused(path.join(site, "data", "store.json"));
  assert.match(
    message,
    /refusing to start: the store's data file .*site.data.store\.json lies inside/,
  );
  assert.match(message, /Set "dataFile" in the config to a path outside the site/);
  await assert.rejects(stat(path.join(site, "data")), { code: "ENOENT" }, "nothing was created");
  await refused(path.join(site, "store.json"));
});

test("a dataFile reaching into the site through a symlink, or a journal linked there, is refused", async () => {
  await symlink(site, path.join(dir, "link-to-site"));
  assert.match(await refused(path.join(dir, "link-to-site", "store.json")), /\(really .*site/);
  const data = path.join(dir, "journal-link");
  await mkdir(data);
  await symlink(path.join(site, "j"), path.join(data, "store.json.journal"));
  assert.match(await refused(path.join(data, "store.json")), /store\.json\.journal \(really /);
  // and a site folder that is itself a link to the data folder's parent
  await symlink(dir, path.join(dir, "site-link"));
  await refused(path.join(dir, "elsewhere", "store.json"), path.join(dir, "site-link"));
});

test("outside the site it starts; new folders are 0700 and every store file 0600", async () => {
  const dataFile = path.join(dir, "state", "deep", "store.json");
  const running = await startSidecar(config(dataFile), {
    siteDir: site,
    log: createLogger("silent"),
  });
  try {
    await running.ctx.store.claimNonce("n1", Date.now() + 60_000);
    assert.equal(await mode(path.join(dir, "state")), "700");
    assert.equal(await mode(path.dirname(dataFile)), "700");
    assert.equal(await mode(`${dataFile}.journal`), "600");
    assert.equal(await mode(`${dataFile}.lock`), "600");
  } finally {
    await running.close();
  }
  const again = await openJsonStore(dataFile, { fsync: false }); // folds the journal in
  try {
    assert.equal(await mode(dataFile), "600");
  } finally {
    await again.close();
  }
});

test("an existing folder keeps its mode; 0644 files of an older version become 0600", async () => {
  const folder = path.join(dir, "old");
  await cp(V1_FIXTURE, folder, { recursive: true });
  await chmod(folder, 0o750);
  const dataFile = path.join(folder, "store.json");
  await chmod(dataFile, 0o644);
  await chmod(`${dataFile}.journal`, 0o644);
  const s = await openJsonStore(dataFile, { fsync: false }); // migrates: backups, compaction
  try {
    assert.equal(await mode(folder), "750");
    for (const f of ["", ".journal", ".schema1.bak", ".journal.schema1.bak", ".lock"])
      assert.equal(await mode(`${dataFile}${f}`), "600", f);
  } finally {
    await s.close();
  }
});

test("--site serves its own files and links inside it, never a symlink out of it", async () => {
  await symlink(path.join(dir, "outside", "secret.txt"), path.join(site, "leak.txt"));
  await symlink(path.join(dir, "outside", "secret.txt"), path.join(site, "page.html"));
  await symlink(path.join(dir, "outside"), path.join(site, "dir"));
  await symlink(path.join(dir, "outside", "index.html"), path.join(site, "sub", "index.html"));
  await symlink(path.join(site, "about.html"), path.join(site, "alias.html"));
  await symlink(site, path.join(dir, "current")); // a release switched by a symlink
  const store = await openStore(":memory:");
  const ctx = composeSidecar(config(":memory:"), store, createLogger("silent"));
  const server = createApp(ctx, { siteDir: path.join(dir, "current") }).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const p of ["/", "/about", "/alias.html", "/alias"]) {
      const res = await fetch(`${base}${p}`);
      assert.equal(res.status, 200, p);
      assert.doesNotMatch(await res.text(), /SECRET/, p);
    }
    for (const p of [
      "/leak.txt",
      "/page",
      "/page.html",
      "/dir/secret.txt",
      "/dir",
      "/dir/",
      "/sub/",
      "/%64ir/secret.txt",
    ]) {
      const res = await fetch(`${base}${p}`, { redirect: "manual" });
      assert.equal(res.status, 404, p);
      assert.doesNotMatch(await res.text(), /SECRET/, p);
    }
  } finally {
    server.close();
    server.closeAllConnections();
    await ctx.closeClients();
    await store.close();
  }
});
