/** The owner's status page fits a 1,200 px window even when a permanent failure has a very long URL. */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { freePort } from "../../scripts/demo-sites.js";
import { hashPassword } from "../../sidecar/auth/password.js";
import { parseConfig } from "../../sidecar/config.js";
import { createLogger } from "../../sidecar/log.js";
import { type RunningSidecar, startSidecar } from "../../sidecar/server.js";
import { openStore } from "../../sidecar/store/open.js";
import { launchBrowser, type TestBrowser } from "./browser.js";

const PASSWORD = "status-width-password";
const LONG = `http://listener.example/${"very-long-path-segment-without-any-break".repeat(8)}/postnotice?token=${"x".repeat(300)}`;
let dir = "";
let sidecar: RunningSidecar | null = null;
let browser: TestBrowser | null = null;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "status-width-"));
  // The login redirects to the public URL: it must be where this sidecar listens.
  const port = await freePort();
  const config = parseConfig(
    {
      siteUrl: `http://127.0.0.1:${port}/`,
      publicUrl: `http://127.0.0.1:${port}/`,
      host: "127.0.0.1",
      port,
      dataFile: "store.json",
      fsync: false,
    },
    "test",
    dir,
    { ownerPasswordHash: await hashPassword(PASSWORD) },
  );
  const store = await openStore(config.dataFile, { fsync: false });
  await store.recordFailure({
    destination: LONG,
    subscriber: `${LONG}#subscriber`,
    seq: 1,
    status: 403,
    error: `refused: ${"an-error-message-that-goes-on-and-on-".repeat(10)}`,
  });
  await store.close();
  sidecar = await startSidecar(config, { log: createLogger("silent") });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (browser) await rm(browser.shotsDir, { recursive: true, force: true });
  await sidecar?.close();
  await rm(dir, { recursive: true, force: true });
});

test("the permanent-failures table wraps its long URLs inside a 1,200 px window", async () => {
  const t = browser as TestBrowser;
  const base = (sidecar as RunningSidecar).url;
  await t.page.setViewportSize({ width: 1200, height: 900 });
  // The session cookie is for this host; log in through the form as the owner does.
  await t.page.goto(`${base}admin/login`);
  await t.page.fill('input[name="password"]', PASSWORD);
  await Promise.all([t.page.waitForURL(/\/admin$/), t.page.click('button[type="submit"]')]);
  await t.page.goto(`${base}admin`);
  assert.ok((await t.page.content()).includes("very-long-path-segment"), "the failure is shown");
  const width = await t.page.evaluate("document.documentElement.scrollWidth");
  assert.ok(
    typeof width === "number" && width <= 1200,
    `the status page is ${width} px wide in a 1,200 px window`,
  );
});
