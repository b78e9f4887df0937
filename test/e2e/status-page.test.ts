/**
 * The owner's status page in Chromium, on a real sidecar process (`eleventy-federation serve`)
 * that has delivered over loopback to two real receivers: four OMB followers on two
 * instances, two new posts, one destination that takes them, one that refuses them (400),
 * one that is down (500). The page must show the sections and the numbers the receivers saw.
 * A failing step keeps its screenshot and names it in the failure message.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../scripts/demo-sites.js";
import { hashPassword } from "../../sidecar/auth/password.js";
import { openStore } from "../../sidecar/store/open.js";
import { callDeployHook } from "../helpers/deploy-hook.js";
import { fakeProfile, ombDestination, ombFollower } from "../helpers/fixtures.js";
import { readStore } from "../helpers/read-store.js";
import { startReceiver, type TestReceiver, waitFor } from "../helpers/receiver.js";
import { testManifest, writeManifest } from "../helpers/receiver-manifest.js";
import { cli, type Served, serve } from "../helpers/serve-process.js";
import { assertChromium, launchBrowser, type TestBrowser } from "./browser.js";

const PASSWORD = `owner-${randomBytes(6).toString("hex")}`;
const SECRET = randomBytes(16).toString("hex");
/** A follower whose nickname tries markup and a bidi override. */
const HOSTILE = "<b>bold</b>\u202Eevil";

let dir = "";
let site = "";
let configFile = "";
let env: NodeJS.ProcessEnv = {};
let sidecar: Served | null = null;
let browser: TestBrowser | null = null;
/** rA: destinations "ok" and "no" (400); rB: destination "down" (500). */
let rA: TestReceiver;
let rB: TestReceiver;

const answered = (r: TestReceiver, id: string, status: number) =>
  r.pushes.filter((p) => p.path === `/r/${id}/postnotice` && p.status === status).length;

before(async () => {
  assertChromium();
  dir = await mkdtemp(path.join(tmpdir(), "e2e-status-"));
  const port = await freePort();
  site = `http://127.0.0.1:${port}/`;
  [rA, rB] = await Promise.all([startReceiver(), startReceiver()]);
  rA.setMode("400", "no");
  rB.setMode("500", "down");
  await writeManifest(path.join(dir, "manifest.json"), testManifest(site, [1]));
  configFile = path.join(dir, "config.json");
  await writeFile(
    configFile,
    JSON.stringify({
      siteUrl: site,
      publicUrl: site,
      host: "127.0.0.1",
      port,
      dataFile: "store.json",
      manifest: "manifest.json",
      allowPrivateNetworks: true,
      fsync: false,
      logLevel: "warn",
      // Full jitter below 11 days: the down destination is not tried again during the test.
      delivery: { baseDelaySeconds: 1e6, maxDelaySeconds: 1e6 },
    }),
  );
  const store = await openStore(path.join(dir, "store.json"), { fsync: false });
  const followers: [TestReceiver, string, number, string?][] = [
    [rA, "ok", 1, HOSTILE],
    [rA, "ok", 2],
    [rA, "no", 3],
    [rB, "down", 4],
  ];
  for (const [r, id, i, nickname] of followers) {
    const profile = { ...fakeProfile(i), ...(nickname ? { nickname } : {}) };
    await store.saveFollower(
      ombFollower({
        uri: profile.uri,
        profile,
        postNoticeUrl: r.postNoticeUrl(id),
        updateProfileUrl: r.updateProfileUrl(id),
        token: `tok${i}`,
        secret: `sec${i}`,
      }),
    );
  }
  await store.close();
  env = {
    ...process.env,
    NODE_ENV: "test",
    FEDERATION_HOOK_SECRET: SECRET,
    FEDERATION_OWNER_PASSWORD_HASH: await hashPassword(PASSWORD),
  };
  sidecar = await serve(configFile, { env, timeoutMs: 20_000, graceMs: 5_000 });
  // Posts 2 and 3 are new: two entries for each of the three destinations.
  await writeManifest(path.join(dir, "manifest.json"), testManifest(site, [1, 2, 3]));
  const res = await callDeployHook(sidecar.url, SECRET, { source: "test" });
  assert.equal(res.status, 200, await res.text());
  await waitFor(
    () =>
      answered(rA, "ok", 200) === 2 &&
      answered(rA, "no", 400) === 2 &&
      answered(rB, "down", 500) === 1,
    "the receivers to answer every push",
    20_000,
  );
  // The sidecar records each answer after it arrives: wait until all three are in the store.
  const keys = [rA.postNoticeUrl("ok"), rA.postNoticeUrl("no"), rB.postNoticeUrl("down")].map(
    ombDestination,
  );
  await waitFor(
    () =>
      readStore(path.join(dir, "store.json"), async (s) => {
        const [ok, no, down] = await Promise.all(keys.map((k) => s.destination(k)));
        return ok?.cursor === 2 && no?.cursor === 2 && down?.attempts === 1;
      }),
    "the outcomes in the store",
    20_000,
  );
  browser = await launchBrowser();
});

/** Set by the first failing step: its screenshot is kept. */
let failed = false;

after(async () => {
  await browser?.close();
  await Promise.all([rA?.close(), rB?.close()]);
  await sidecar?.stop();
  if (browser && !failed) await rm(browser.shotsDir, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the owner's status page", { timeout: 90_000 }, () => {
  /** Runs one step; on failure saves a screenshot and names it, the page and the log. */
  async function step(name: string, body: (t: TestBrowser) => Promise<void>): Promise<void> {
    const t = browser;
    assert.ok(t, "the browser did not start");
    try {
      await body(t);
    } catch (err) {
      failed = true;
      const shot = await t.shot(`FAILED-${name.replace(/\W+/g, "-")}`).catch(() => "(none)");
      const where = `[step: ${name}; page ${t.page.url()}; screenshot kept at ${shot}]\n--- sidecar log (tail):\n${sidecar?.stderr().slice(-2500) ?? ""}`;
      // The reporter prints the stack (made when the error was): the note goes on both.
      const e = err as Error;
      e.message += `\n${where}`;
      e.stack = `${e.stack ?? ""}\n${where}`;
      throw err;
    }
  }

  it("the CLI's status reports what the receivers saw", async () => {
    const json = JSON.parse((await cli(configFile, ["status", "--json"], env)).stdout);
    assert.equal(json.sidecar.running, true);
    assert.deepEqual(json.secretsSet, { hookSecret: true, ownerPassword: true });
    const sum = (k: string) =>
      json.days.reduce((n: number, d: Record<string, number>) => n + (d[k] ?? 0), 0);
    assert.deepEqual(
      [sum("delivered"), sum("retried"), sum("refused"), sum("gaveUp")],
      [answered(rA, "ok", 200), answered(rB, "down", 500), answered(rA, "no", 400), 0],
    );
    assert.deepEqual(
      json.followersByProtocol.map((g: { protocol: string; count: number }) => [
        g.protocol,
        g.count,
      ]),
      [["omb", 4]],
    );
  });

  it("logs in and shows the status, followers by instance, the chart and the failures", () =>
    step("status page", async (t) => {
      const { page } = t;
      await page.setViewportSize({ width: 1200, height: 900 });
      await page.goto(`${site}admin/login`);
      await page.fill('input[name="password"]', PASSWORD);
      await Promise.all([page.waitForURL(/\/admin$/), page.click('button[type="submit"]')]);
      const res = await page.goto(`${site}admin`);
      assert.equal(res?.status(), 200);
      // The down destination retries in days: nothing is under way, so no reloading.
      assert.equal(res?.headers().refresh, undefined);

      assert.equal(await page.getAttribute("nav a", "href"), site, "a link back to the site");
      const summary = (await page.locator("table.summary").textContent()) ?? "";
      assert.match(summary, /FEDERATION_HOOK_SECRET is set here/);
      assert.match(summary, /4 \(OpenMicroBlogging 4 on 2 instances\)/);
      assert.match(summary, /Outbound log2 entries so far/);
      assert.match(summary, /Pending2 deliveries/);

      const omb = page.locator('section.protocol[data-protocol="omb"]');
      assert.match((await omb.locator("h3").textContent()) ?? "", /4 followers on 2 instances/);
      const hosts = await omb.locator("h4").allTextContents();
      // The failing instance (rB's destination retries) first, then by follower count.
      assert.deepEqual(hosts, [
        `${new URL(rB.url).host} 1 follower`,
        `${new URL(rA.url).host} 3 followers`,
      ]);
      const down = omb.locator(
        `tr[data-destination="${ombDestination(rB.postNoticeUrl("down"))}"]`,
      );
      const downText = (await down.textContent()) ?? "";
      assert.match(downText, /delivered 0 of 2/);
      assert.match(downText, /at #0 of #2, 2 behind/);
      assert.match(downText, /retrying \(1 failed attempt since/);
      assert.match(
        downText,
        /HTTP 500: <h1>500<\/h1>/,
        "the error with the status and the body, as text",
      );
      assert.equal(await down.locator("h1").count(), 0, "the remote body is not markup");
      const ok = omb.locator(`tr[data-destination="${ombDestination(rA.postNoticeUrl("ok"))}"]`);
      assert.match((await ok.textContent()) ?? "", /up to date.*/);
      const a = omb.locator(`section.instance[data-instance="${new URL(rA.url).host}"]`);
      const names = (await a.locator("ul.followers").textContent()) ?? "";
      assert.ok(names.includes("<b>bold</b>evil"), `the hostile name as text: ${names}`);
      assert.ok(!names.includes("\u202E"), "without its bidi override");
      assert.equal(await omb.locator("ul.followers b").count(), 0);
      assert.match(
        (await a.locator("p.last-failure").textContent()) ?? "",
        /Newest permanent failure, .* \(HTTP 400\): /,
        "rA's refused entries",
      );

      const fanOut = (await page.locator("table.fan-out").textContent()) ?? "";
      assert.match(
        fanOut,
        /#2 noticePost number 3 .* reached 2 of 3 destinations#1 noticePost number 2 /,
      );

      const delivered = answered(rA, "ok", 200);
      const retried = answered(rB, "down", 500);
      const refused = answered(rA, "no", 400);
      const chart = page.locator("figure.chart svg");
      assert.equal(await chart.getAttribute("role"), "img");
      assert.match((await chart.locator("title").first().textContent()) ?? "", /last 14 days/);
      assert.match(
        (await chart.locator("desc").textContent()) ?? "",
        new RegExp(
          `${delivered} delivered, ${retried + refused} failed \\(${retried} attempts retried, ${refused} refused, 0`,
        ),
      );
      assert.equal(await chart.locator("rect").count(), 28, "two bars a day");
      assert.deepEqual(
        await page.locator("table.chart-numbers tfoot td").allTextContents(),
        [delivered, retried, refused, 0].map(String),
      );
      assert.equal(await page.locator("table.chart-numbers tbody tr").count(), 14);

      const failures = (await page.locator("#failures + table").textContent()) ?? "";
      assert.equal((failures.match(/Invalid notice content/g) ?? []).length, 2);

      const width = await page.evaluate("document.documentElement.scrollWidth");
      assert.ok(typeof width === "number" && width <= 1200, `${width} px wide in 1,200`);
      assert.deepEqual(t.dialogs, [], "no remote text ran as script");
    }));
});
