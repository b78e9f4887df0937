// A site with its sidecar for load and crash tests: the provider tests' startTarget (built
// site with its XRDS, manifest, owner password, hook secret) as a process that a test can
// SIGKILL and start again. Helpers drive each role: remote authors following-flow the site
// (provider), visitors subscribing from reference listeners (consumer), and deploys
// (hook → sync → fan-out).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { InboxExport } from "../../contract/inbox-export.js";
import type { ManifestNotice } from "../../contract/manifest.js";
import { callDeployHook } from "../helpers/deploy-hook.js";
import { readStore } from "../helpers/read-store.js";
import { testNotice, writeManifest } from "../helpers/receiver-manifest.js";
import { RemoteListenee } from "../helpers/remote-listenee.js";
import { Browser as OwnerBrowser } from "../helpers/remote-listenee-browser.js";
import { follow, passwordHash } from "../helpers/remote-listenee-flow.js";
import { OWN_PROFILE, startTarget, type Target } from "../helpers/remote-listenee-target.js";
import { Browser } from "../reference-listener/browser.js";
import type { ReferenceListener } from "../reference-listener/spawn.js";

export const HOOK_SECRET = "load-test-hook-secret";

/**
 * The site URL = public URL = where the sidecar listens (a fixed port across restarts);
 * `proc` is the process last started, `start()` starts it again on the same config and data.
 */
export type LoadSite = Target;

/**
 * Creates the site (owner password and hook secret set) and starts its sidecar, unless
 * `start` is false. `config` adds keys to the sidecar config; the per-address limits of the
 * subscribe form and of inbound pushes are raised (the limiters still run), as every test
 * client is 127.0.0.1.
 */
export async function createSite(
  config: Record<string, unknown> = {},
  opts: { nodeArgs?: string[]; start?: boolean } = {},
): Promise<LoadSite> {
  return startTarget({
    passwordHash: await passwordHash(),
    hookSecret: HOOK_SECRET,
    config: {
      logLevel: "warn",
      subscribe: { maxAttempts: 100_000 },
      inbound: { pushesPerMinute: 10_000_000 },
      ...config,
    },
    ...opts,
  });
}

/** `n` remote authors, each through the whole follow flow (owner login, authorize, tokens). */
export async function followedBy(site: LoadSite, n: number): Promise<RemoteListenee[]> {
  const owner = new OwnerBrowser();
  const authors: RemoteListenee[] = [];
  for (let i = 0; i < n; i++) {
    const r = await RemoteListenee.start({ nickname: `author${i}` });
    authors.push(r);
    await follow(r, owner, site.url);
  }
  return authors;
}

export type FlowOutcome = "subscribed" | "cut off" | "refused";

/**
 * A visitor subscribes from `listener`'s user `nickname`: the form, their service's
 * authorize page (approving), our callback; `atCallback` is called just before the browser
 * opens our callback. Network errors and 5xx answers (the sidecar died) are "cut off".
 */
export async function subscribeFlow(
  site: LoadSite,
  listener: ReferenceListener,
  nickname: string,
  atCallback: () => void = () => {},
): Promise<FlowOutcome> {
  const b = new Browser();
  try {
    const start = await b.postForm(`${site.url}omb/subscribe`, {
      profile_url: listener.profileUrl(nickname),
    });
    if (start.status !== 303) return start.status >= 500 ? "cut off" : "refused";
    const authorize = await b.follow(start);
    if (authorize.status !== 303) return "refused";
    atCallback();
    const finish = await b.follow(authorize);
    if (finish.status === 200 && finish.body.includes("You are subscribed")) return "subscribed";
    return finish.status >= 500 ? "cut off" : "refused";
  } catch {
    return "cut off";
  }
}

/** True when the visitor's subscribe flow showed our success page. */
export async function subscribeFrom(
  site: LoadSite,
  listener: ReferenceListener,
  nickname: string,
): Promise<boolean> {
  return (await subscribeFlow(site, listener, nickname)) === "subscribed";
}

/** The site's notices `ids` (newest first, as the plugin writes them). */
export function siteNotices(site: LoadSite, ids: number[]): ManifestNotice[] {
  return ids
    .map((i) => testNotice(site.url, i))
    .sort((a, b) => b.published.localeCompare(a.published));
}

/** Publishes a manifest with notices `ids`, then calls the deploy hook; its status (0: no answer). */
export async function deploy(site: LoadSite, ids: number[], timeoutMs = 20_000): Promise<number> {
  await writeManifest(site.manifestFile, {
    version: 1,
    profile: { uri: site.url, profile: site.url, ...OWN_PROFILE },
    notices: siteNotices(site, ids),
  });
  return callHook(site, timeoutMs);
}

export async function callHook(site: LoadSite, timeoutMs = 20_000): Promise<number> {
  try {
    const res = await callDeployHook(site.url, HOOK_SECRET, { source: "load-test" }, timeoutMs);
    await res.text();
    return res.status;
  } catch {
    return 0; // killed while answering, or no process
  }
}

/** URIs in `want` that the store's inbox lacks. */
export async function missingFromInbox(
  dataFile: string,
  want: Iterable<string>,
): Promise<string[]> {
  const have = await readStore(dataFile, async (s) => new Set((await s.inbox()).map((n) => n.uri)));
  return [...want].filter((u) => !have.has(u));
}

/** URIs in `want` that `inbox.json` beside the data file lacks (all of them when it is absent). */
export async function missingFromInboxExport(
  dataFile: string,
  want: Iterable<string>,
): Promise<string[]> {
  const text = await readFile(path.join(path.dirname(dataFile), "inbox.json"), "utf8").catch(
    () => '{"inbox":[]}',
  );
  const have = new Set((JSON.parse(text) as InboxExport).inbox.map((n) => n.uri));
  return [...want].filter((u) => !have.has(u));
}

/** Polls `check` every 50 ms until it holds or `ms` pass; asserts it held. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  ms: number,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < end, `${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
