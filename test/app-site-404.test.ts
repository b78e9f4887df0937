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

/** `--site` with a built site that has its own 404.html: unknown pages get it, with a 404. */
let dir: string;
let base: string;
let close: () => Promise<void>;
const SITE_404 = "<!doctype html><title>Not here</title><p>The blog's own missing page.</p>";

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ef-app-404-"));
  await writeFile(path.join(dir, "index.html"), "<!doctype html><title>home</title>");
  await writeFile(path.join(dir, "404.html"), SITE_404);
  const config = parseConfig(
    { siteUrl: "http://127.0.0.1/", publicUrl: "http://127.0.0.1/", dataFile: ":memory:" },
    "test",
    dir,
    {},
  );
  const store = await openStore(":memory:");
  const ctx = composeSidecar(config, store, createLogger("silent"));
  const server = createApp(ctx, { siteDir: dir }).listen(0, "127.0.0.1");
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

test("an unknown page of the site gets the site's own 404.html, with status 404", async () => {
  for (const p of ["/no/such/post/", "/missing.html", "/.well-known/nothing"]) {
    const res = await fetch(`${base}${p}`, { headers: { accept: "text/html" } });
    assert.equal(res.status, 404, p);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/, p);
    assert.equal(await res.text(), SITE_404, p);
  }
});

test("the site's pages and the sidecar's own answers are unchanged by it", async () => {
  const home = await fetch(`${base}/`);
  assert.equal(home.status, 200);
  assert.match(await home.text(), /<title>home<\/title>/);
  // Not a page request: the sidecar's own 404, not the site's HTML.
  const post = await fetch(`${base}/no/such/post/`, { method: "POST" });
  assert.equal(post.status, 404);
  const body = await post.text();
  assert.notEqual(body, SITE_404);
  // The sidecar's error pages end with a link back to the site.
  assert.match(body, /<a href="http:\/\/127\.0\.0\.1\/">Back to the site<\/a>/);
  const json = await fetch(`${base}/no/such/post/`, { headers: { accept: "application/json" } });
  assert.equal(json.status, 404);
  assert.notEqual(await json.text(), SITE_404);
});
