/**
 * Two full instances on loopback, driven through their real pages in headless Chromium:
 * two builds of the example blog (authors A and B, each with its own URL and data), each
 * served by its own `eleventy-federation serve --site` process.
 *
 * B subscribes to A through A's home-page form, logs in on B's authorize page and accepts;
 * A publishes (new post, rebuild, signed deploy hook) and its delivery worker pushes to B;
 * B's rebuilt timeline shows the notice. B stops following on its status page; A's next
 * push gets 403 and A drops B.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  addPost,
  buildSite,
  federationCli,
  freePort,
  prepareInstance,
  type RunningSidecar,
  type SiteInstance,
  startSidecar,
  syncSite,
} from "../../scripts/demo-sites.js";
import { hashPassword } from "../../sidecar/auth/password.js";
import { assertChromium, launchBrowser, type TestBrowser } from "./browser.js";
import { poll, steps } from "./flow.js";

const B_PASSWORD = `b-owner-${randomBytes(6).toString("hex")}`;

let root: string | undefined;
let a: SiteInstance;
let b: SiteInstance;
const sidecars: RunningSidecar[] = [];
let browser: TestBrowser | null = null;

async function inboxUris(site: SiteInstance): Promise<string[]> {
  try {
    const inbox = JSON.parse(await readFile(site.inboxFile, "utf8")) as {
      inbox: { uri: string }[];
    };
    return inbox.inbox.map((n) => n.uri);
  } catch {
    return [];
  }
}

async function subscribersOf(site: SiteInstance): Promise<{ uri: string }[]> {
  return JSON.parse(await federationCli(site, ["subscribers", "--json"])) as { uri: string }[];
}

before(async () => {
  assertChromium();
  root = await mkdtemp(path.join(tmpdir(), "e2e-federation-"));
  const [portA, portB, hashB] = await Promise.all([
    freePort(),
    freePort(),
    hashPassword(B_PASSWORD),
  ]);
  const delivery = { baseDelaySeconds: 1, maxDelaySeconds: 2 };
  [a, b] = await Promise.all([
    prepareInstance({
      root,
      name: "a",
      port: portA,
      author: {
        nickname: "ana",
        fullname: "Ana Writer",
        bio: "Writes the posts.",
        title: "Ana's blog",
      },
      hookSecret: randomBytes(16).toString("hex"),
      config: { delivery, logLevel: "info" },
    }),
    prepareInstance({
      root,
      name: "b",
      port: portB,
      author: {
        nickname: "ben",
        fullname: "Ben Reader",
        bio: "Follows people.",
        title: "Ben's notes",
      },
      hookSecret: randomBytes(16).toString("hex"),
      ownerPasswordHash: hashB,
      config: { delivery, logLevel: "info" },
    }),
  ]);
  await Promise.all([buildSite(a), buildSite(b)]);
  const started = await Promise.allSettled([startSidecar(a), startSidecar(b)]);
  for (const s of started) if (s.status === "fulfilled") sidecars.push(s.value);
  for (const s of started) if (s.status === "rejected") throw s.reason;
  // A's first sync records its existing posts as published: nobody gets the archive.
  const first = await syncSite(a);
  assert.equal(first.result.outcome, "first-sync", JSON.stringify(first.result));
  browser = await launchBrowser({ shotsDir: process.env.E2E_SHOTS_DIR });
});

/** Later steps depend on earlier ones: after a failure they are not run. */
const flow = steps(
  () => browser,
  () => sidecars.map((s, i): [string, RunningSidecar] => [i ? "B" : "A", s]),
);

after(async () => {
  await browser?.close();
  await Promise.all(sidecars.map((s) => s.stop()));
  if (root) await rm(root, { recursive: true, force: true });
  // Screenshots are kept when something failed (or when asked for with E2E_SHOTS_DIR).
  if (browser && !flow.failed() && !process.env.E2E_SHOTS_DIR)
    await rm(browser.shotsDir, { recursive: true, force: true });
});

describe("two sites federating through their pages", { timeout: 120_000 }, () => {
  const run = flow.run;

  it("B subscribes to A through A's form, logging in to approve on B's authorize page", () =>
    run("subscribe", async ({ page, shot }) => {
      await page.goto(a.url);
      await page.fill('form.federation-subscribe input[name="profile_url"]', b.url);
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(`${b.url}admin/login`)),
        page.click('form.federation-subscribe button[type="submit"]'),
      ]);
      await shot("b-login");
      await page.fill('input[name="password"]', B_PASSWORD);
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(`${b.url}omb/userauthorization`)),
        page.click('button:has-text("Log in")'),
      ]);
      assert.equal(await page.textContent("h1"), "Follow Ana Writer?");
      assert.ok((await page.content()).includes(a.url), "the authorize page shows A's profile URL");
      await shot("b-authorize");
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(a.url)),
        page.click('button[value="accept"]'),
      ]);
      assert.equal(await page.textContent("h1"), "You are subscribed");
      await shot("a-subscribed");
      assert.deepEqual(
        (await subscribersOf(a)).map((s) => s.uri),
        [b.url],
      );
    }));

  it("A publishes; B's inbox gets the notice and B's rebuilt timeline shows it", () =>
    run("publish and read", async ({ page, shot }) => {
      await addPost(a, {
        slug: "first-federated-post",
        title: "Tomatoes on the balcony",
        body: "The first ripe one today, after weeks of waiting.",
      });
      await buildSite(a);
      const sync = await syncSite(a);
      assert.equal(sync.result.newNotices, 1, JSON.stringify(sync.result));
      const postUrl = `${a.url}posts/first-federated-post/`;
      await poll("the notice in B's inbox.json", { timeoutMs: 15_000 }, async () =>
        (await inboxUris(b)).includes(postUrl) ? true : undefined,
      );
      await buildSite(b);
      await page.goto(`${b.url}timeline/`);
      const entry = page.locator("li.federation-entry").first();
      assert.match(
        (await entry.locator(".federation-entry-text").textContent()) ?? "",
        /Tomatoes on the balcony/,
      );
      assert.equal(await entry.locator("a.u-url.p-name").textContent(), "Ana Writer");
      assert.equal(await entry.locator("a.u-url.p-name").getAttribute("href"), a.url);
      assert.equal(
        await entry.locator(".federation-entry-meta a.u-url").getAttribute("href"),
        postUrl,
      );
      assert.match(
        (await entry.locator(".federation-entry-source").textContent()) ?? "",
        /via localhost:\d+/,
      );
      await shot("b-timeline");
      await page.goto(`${b.url}following/`);
      assert.equal(await page.locator(".federation-followed a.p-name").textContent(), "Ana Writer");
      await shot("b-following");
    }));

  it("B stops following on its status page; A's next push gets 403 and A drops B", () =>
    run("unfollow", async ({ page, shot, dialogs }) => {
      await page.goto(`${b.url}admin`);
      assert.ok(page.url().startsWith(`${b.url}admin`), `still logged in (at ${page.url()})`);
      await shot("b-status");
      const stopButton = page.locator('button:has-text("Stop following")');
      await Promise.all([
        page.waitForResponse((r) => r.url().startsWith(`${b.url}admin/following/remove`)),
        stopButton.click(),
      ]);
      await stopButton.waitFor({ state: "detached" });
      assert.equal(page.url(), `${b.url}admin`);
      await shot("b-status-after-unfollow");
      await addPost(a, {
        slug: "second-federated-post",
        title: "Second harvest",
        body: "Three more tomatoes, and a question about blight.",
      });
      await buildSite(a);
      const sync = await syncSite(a);
      assert.equal(sync.result.newNotices, 1, JSON.stringify(sync.result));
      await poll("A to drop B after the 403", { timeoutMs: 20_000 }, async () =>
        (await subscribersOf(a)).length === 0 ? true : undefined,
      );
      const status = JSON.parse(await federationCli(a, ["status", "--json"])) as {
        recentFailures: { status?: number; error: string }[];
      };
      assert.ok(
        status.recentFailures.some((f) => f.status === 403),
        `A's status shows the 403: ${JSON.stringify(status.recentFailures)}`,
      );
      assert.ok(!(await inboxUris(b)).includes(`${a.url}posts/second-federated-post/`));
      assert.deepEqual(dialogs, [], "no script from another site ran");
    }));
});
