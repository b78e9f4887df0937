import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createApp } from "../sidecar/app.js";
import { parseConfig } from "../sidecar/config.js";
import { createLogger } from "../sidecar/log.js";
import { composeSidecar } from "../sidecar/server.js";
import { openStore } from "../sidecar/store/open.js";

let dir: string;
let base: string;
let close: () => Promise<void>;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ef-app-"));
  await writeFile(path.join(dir, "avatar.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(path.join(dir, "xrds.xml"), "<XRDS/>");
  await writeFile(path.join(dir, "index.html"), "<!doctype html><title>home</title>");
  const config = parseConfig(
    { siteUrl: "http://127.0.0.1/", publicUrl: "http://127.0.0.1/", dataFile: ":memory:" },
    "test",
    dir,
    {},
  );
  const store = await openStore(":memory:");
  const ctx = composeSidecar(config, store, createLogger("silent"));
  const app = createApp(ctx, { siteDir: dir });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    server.close();
    server.closeAllConnections();
    await ctx.closeClients();
    await store.close();
  };
});
after(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

test("a site served with --site keeps its own headers: its avatar loads on other sites' pages", async () => {
  const res = await fetch(`${base}/avatar.png`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cross-origin-resource-policy"), null);
  assert.equal(res.headers.get("content-security-policy"), null);
  const home = await fetch(`${base}/`);
  assert.equal(home.headers.get("content-security-policy"), null);
});

test("the site's XRDS goes out as application/xrds+xml", async () => {
  const res = await fetch(`${base}/xrds.xml`);
  assert.equal(res.headers.get("content-type"), "application/xrds+xml");
});

test("the sidecar's own pages carry its security headers", async () => {
  for (const p of [
    "/omb/subscribe",
    "/OMB/Subscribe",
    "/admin/login",
    "/ADMIN/LOGIN",
    "/nowhere",
  ]) {
    const res = await fetch(`${base}${p}`);
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/, p);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", p);
  }
});

test("owner pages are never cached", async () => {
  for (const p of ["/admin/login", "/admin", "/Admin", "/omb/userauthorization"]) {
    const res = await fetch(`${base}${p}`, { redirect: "manual" });
    assert.equal(res.headers.get("cache-control"), "no-store", p);
  }
});
