/**
 * Two full instances speaking ActivityPub on loopback, driven through their real pages in
 * headless Chromium: two builds of the example blog (authors A and B, each with its own URL
 * and data), each served by its own `eleventy-federation serve --site` process.
 *
 * A's owner follows B by handle on A's status page and B accepts; B publishes and A's rebuilt
 * timeline shows the post; B answers one of A's posts (front matter `inReplyTo`), the reply
 * waits on A's status page, is not on A's rebuilt post page, and once A's owner approves it
 * it is in interactions.json and under the post on A's next build.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { apUrl } from "../../contract/activitypub-paths.js";
import type { InboxExport } from "../../contract/inbox-export.js";
import type { InteractionsExport } from "../../contract/interactions-export.js";
import {
  addPost,
  buildSite,
  freePort,
  interactionsFile,
  prepareInstance,
  type RunningSidecar,
  type SiteInstance,
  startSidecar,
  syncSite,
} from "../../scripts/demo-sites.js";
import { hashPassword } from "../../sidecar/auth/password.js";
import { assertChromium, launchBrowser, type TestBrowser } from "./browser.js";
import { poll, steps } from "./flow.js";

const A_PASSWORD = `a-owner-${randomBytes(6).toString("hex")}`;
/** A's example post that B answers (A's first sync knows it as published). */
const ANSWERED_SLUG = "hello-federated-world";

let root: string | undefined;
let a: SiteInstance;
let b: SiteInstance;
const sidecars: [string, RunningSidecar][] = [];
let browser: TestBrowser | null = null;
const flow = steps(
  () => browser,
  () => sidecars,
);

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** The approved replies A exported for its post at `postUrl`. */
async function exportedReplies(postUrl: string) {
  const data = await readJson<InteractionsExport>(interactionsFile(a));
  return data?.posts.find((p) => p.url === postUrl)?.replies ?? [];
}

/** Reloads A's status page until `check` of it gives a value. */
function pollStatusPage<T>(
  page: Page,
  what: string,
  check: (last: { reason: string }) => Promise<T | undefined>,
): Promise<T> {
  return poll(what, { timeoutMs: 20_000, intervalMs: 500 }, async (last) => {
    await page.goto(`${a.url}admin`);
    return check(last);
  });
}

before(async () => {
  assertChromium();
  root = await mkdtemp(path.join(tmpdir(), "e2e-activitypub-"));
  const [portA, portB, hashA] = await Promise.all([
    freePort(),
    freePort(),
    hashPassword(A_PASSWORD),
  ]);
  // The handle is typed with the address (@nick@127.0.0.1:port): the sites' URLs must be on it.
  const common = { root, host: "127.0.0.1", config: { logLevel: "info" } };
  [a, b] = await Promise.all([
    prepareInstance({
      ...common,
      name: "a",
      port: portA,
      author: { nickname: "ana", fullname: "Ana Writer", bio: "Writes.", title: "Ana's blog" },
      hookSecret: randomBytes(16).toString("hex"),
      ownerPasswordHash: hashA,
    }),
    prepareInstance({
      ...common,
      name: "b",
      port: portB,
      author: { nickname: "ben", fullname: "Ben Answer", bio: "Answers.", title: "Ben's notes" },
      hookSecret: randomBytes(16).toString("hex"),
    }),
  ]);
  await Promise.all([buildSite(a), buildSite(b)]);
  const started = await Promise.allSettled([startSidecar(a), startSidecar(b)]);
  for (const [i, s] of started.entries())
    if (s.status === "fulfilled") sidecars.push([i ? "B" : "A", s.value]);
  for (const s of started) if (s.status === "rejected") throw s.reason;
  // First syncs: each actor's profile is known and the example posts count as published
  // (nobody gets the archive); A's posts are then what B can answer.
  for (const site of [a, b]) {
    const first = await syncSite(site);
    assert.equal(first.result.outcome, "first-sync", `${site.name}: ${JSON.stringify(first)}`);
  }
  browser = await launchBrowser({ shotsDir: process.env.E2E_SHOTS_DIR });
});

after(async () => {
  await browser?.close();
  await Promise.all(sidecars.map(([, s]) => s.stop()));
  if (root) await rm(root, { recursive: true, force: true });
  // Screenshots are kept when something failed (or when asked for with E2E_SHOTS_DIR).
  if (browser && !flow.failed() && !process.env.E2E_SHOTS_DIR)
    await rm(browser.shotsDir, { recursive: true, force: true });
});

describe("two sites on ActivityPub through their pages", { timeout: 120_000 }, () => {
  const bActor = () => apUrl(b.url, "actor", { identifier: b.author.nickname });

  it("A's owner follows B by handle on A's status page; B accepts", () =>
    flow.run("follow", async ({ page, shot }) => {
      await page.goto(`${a.url}admin`);
      assert.ok(page.url().startsWith(`${a.url}admin/login`), `asked to log in (at ${page.url()})`);
      await page.fill('input[name="password"]', A_PASSWORD);
      await Promise.all([
        page.waitForURL((u) => u.href === `${a.url}admin`),
        page.click('button:has-text("Log in")'),
      ]);
      const handle = `@${b.author.nickname}@127.0.0.1:${b.port}`;
      await page.fill('form.follow-account input[name="account"]', handle);
      await Promise.all([
        page.waitForURL((u) => u.href === `${a.url}admin#following`),
        page.click('form.follow-account button[type="submit"]'),
      ]);
      const row = page.locator(`tr[data-following="${bActor()}"]`);
      // Listed by handle (its host is the actor's: the sites' URLs are on 127.0.0.1).
      assert.ok(((await row.textContent()) ?? "").includes(handle.slice(1)), "A lists B");
      await shot("a-following-b");
      await pollStatusPage(
        page,
        "B's Accept (no 'request pending' on A's status page)",
        async (last) => {
          const text = (await row.textContent()) ?? "(no row for B)";
          last.reason = text.replace(/\s+/g, " ").trim();
          return text.includes(handle.slice(1)) && !/request pending/.test(text) ? true : undefined;
        },
      );
      await shot("a-following-b-accepted");
    }));

  it("B publishes; A's inbox.json gets it and A's rebuilt timeline shows it", () =>
    flow.run("timeline", async ({ page, shot }) => {
      await addPost(b, {
        slug: "federated-figs",
        title: "Figs in December",
        body: "The tree on the corner still has three of them.",
      });
      await buildSite(b);
      const sync = await syncSite(b);
      assert.equal(sync.result.newNotices, 1, JSON.stringify(sync.result));
      const postUrl = `${b.url}posts/federated-figs/`;
      await poll("B's post in A's inbox.json", { timeoutMs: 15_000 }, async (last) => {
        const inbox = (await readJson<InboxExport>(a.inboxFile))?.inbox ?? [];
        last.reason = JSON.stringify(inbox.map((n) => n.url));
        return inbox.some((n) => n.url === postUrl) ? true : undefined;
      });
      await buildSite(a);
      await page.goto(`${a.url}timeline/`);
      const entry = page.locator("li.federation-entry").filter({ hasText: "Figs in December" });
      assert.equal(await entry.count(), 1, "one timeline entry holds B's post");
      assert.match((await entry.textContent()) ?? "", /Ben Answer/);
      assert.match(
        (await entry.locator(".federation-entry-text").textContent()) ?? "",
        /three of them/,
      );
      await shot("a-timeline");
    }));

  it("B answers A's post; the reply waits, and once approved is under A's rebuilt post page", () =>
    flow.run("reply", async ({ page, shot, dialogs }) => {
      const answered = `${a.url}posts/${ANSWERED_SLUG}/`;
      const replyText = "Welcome to the fediverse, from the next blog over.";
      await addPost(b, {
        slug: "welcome-ana",
        title: "Re: Hello, federated world",
        body: replyText,
        inReplyTo: answered,
      });
      await buildSite(b);
      const sync = await syncSite(b);
      assert.equal(sync.result.newNotices, 1, JSON.stringify(sync.result));

      const replies = page.locator("#replies + table");
      const waiting = replies.locator('tr[data-state="pending"]').filter({ hasText: replyText });
      await pollStatusPage(page, "B's reply waiting on A's status page", async (last) => {
        const section = await page.locator("#replies, #replies + *").allTextContents();
        last.reason = section.join(" ").replace(/\s+/g, " ").trim();
        return (await waiting.count()) === 1 ? true : undefined;
      });
      assert.match((await waiting.textContent()) ?? "", /Ben Answer/);
      await shot("a-reply-waiting");

      // Not approved yet: neither exported nor on the rebuilt post page.
      assert.deepEqual(await exportedReplies(answered), []);
      await buildSite(a);
      await page.goto(answered);
      assert.equal(await page.locator("h1").first().textContent(), "Hello, federated world");
      assert.equal(await page.locator(".federation-reply").count(), 0, "no reply on the page");
      assert.ok(
        !((await page.locator("body").textContent()) ?? "").includes(replyText),
        "the pending reply's text is not on the post page",
      );

      // Not at #replies yet, so that the wait below is for the answer to the click.
      await page.goto(`${a.url}admin`);
      const replyId = await waiting.getAttribute("data-reply");
      assert.ok(replyId, "the waiting reply has its id");
      await Promise.all([
        page.waitForURL((u) => u.href === `${a.url}admin#replies`),
        waiting.locator('button[value="approve"]').click(),
      ]);
      const approved = replies.locator(`tr[data-state="approved"]`).filter({ hasText: replyText });
      assert.equal(await approved.count(), 1, "the reply shows approved");
      await shot("a-reply-approved");
      const exported = await poll(
        "the approved reply in A's interactions.json",
        { timeoutMs: 15_000 },
        async (last) => {
          const list = await exportedReplies(answered);
          last.reason = JSON.stringify(list.map((r) => r.id));
          return list.find((r) => r.id === replyId);
        },
      );
      assert.equal(exported.author.id, bActor());
      assert.match(exported.content, /from the next blog over/);

      await buildSite(a);
      await page.goto(answered);
      const shown = page.locator("article + aside .federation-replies li.federation-reply");
      assert.equal(await shown.count(), 1, "one reply under the post");
      assert.match(
        (await shown.locator(".federation-reply-content").textContent()) ?? "",
        /Welcome to the fediverse, from the next blog over\./,
      );
      assert.equal(
        await shown.locator(".federation-reply-author .p-name").textContent(),
        "Ben Answer",
      );
      assert.equal(
        await shown.locator(".federation-reply-meta a.u-url").getAttribute("href"),
        `${b.url}posts/welcome-ana/`,
      );
      await shot("a-post-with-reply");
      assert.deepEqual(dialogs, [], "no script from another site ran");
    }));
});
