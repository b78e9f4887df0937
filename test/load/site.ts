// A site with its sidecar for load and crash tests: the built site and config come from
// the provider tests' startTarget (XRDS, manifest, owner password, hook secret), but the
// process is ours (serve-process.ts) so a test can SIGKILL and restart it. Helpers drive
// each role: remote authors following-flow the site (provider), visitors subscribing from
// reference listeners (consumer), and deploys (hook → sync → fan-out).
import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { signHook } from "../../protocol/hook-signature.js";
import type { ManifestNotice } from "../../protocol/manifest.js";
import { SIDECAR_PATHS } from "../../protocol/sidecar-paths.js";
import { Store } from "../../sidecar/store/store.js";
import { testNotice, writeManifest } from "../helpers/receiver-manifest.js";
import { RemoteListenee } from "../helpers/remote-listenee.js";
import { Browser as OwnerBrowser } from "../helpers/remote-listenee-browser.js";
import { follow, passwordHash } from "../helpers/remote-listenee-flow.js";
import { OWN_PROFILE, startTarget } from "../helpers/remote-listenee-target.js";
import { Browser } from "../reference-listener/browser.js";
import type { ReferenceListener } from "../reference-listener/spawn.js";
import { type Served, serve } from "./serve-process.js";

export const HOOK_SECRET = "load-test-hook-secret";

export interface LoadSite {
  /** The site URL = public URL = where the sidecar listens (fixed port across restarts). */
  url: string;
  configFile: string;
  dataFile: string;
  manifestFile: string;
  /** The running process, if any. */
  proc: Served | null;
  /** Starts the sidecar (again) on the same config and data. */
  start(): Promise<Served>;
  /** Stops the process (SIGTERM) and deletes everything. */
  dispose(): Promise<void>;
}

/**
 * Creates the site (owner password and hook secret set) and starts its sidecar. `config`
 * adds keys to the sidecar config; the per-address limits of the subscribe form and of
 * inbound pushes are raised (the limiters still run), as every test client is 127.0.0.1.
 */
export async function createSite(
  config: Record<string, unknown> = {},
  opts: { nodeArgs?: string[] } = {},
): Promise<LoadSite> {
  const target = await startTarget({
    passwordHash: await passwordHash(),
    hookSecret: HOOK_SECRET,
    config: {
      logLevel: "warn",
      subscribe: { maxAttempts: 100_000 },
      inbound: { pushesPerMinute: 10_000_000 },
      ...config,
    },
  });
  await target.stop(); // its files stay; our own process takes over
  const raw = JSON.parse(await readFile(target.configFile, "utf8")) as { manifest: string };
  const manifestFile = raw.manifest;
  const siteDir = path.dirname(path.dirname(manifestFile)); // <site>/federation/manifest.json
  const site: LoadSite = {
    url: target.url,
    configFile: target.configFile,
    dataFile: target.dataFile,
    manifestFile,
    proc: null,
    async start() {
      site.proc = await serve(target.configFile, {
        siteDir,
        env: target.env,
        nodeArgs: opts.nodeArgs ?? [],
      });
      return site.proc;
    },
    async dispose() {
      await site.proc?.stop();
      await rm(target.dir, { recursive: true, force: true });
    },
  };
  await site.start();
  return site;
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

/**
 * A visitor subscribes from `listener`'s user `nickname`: the form, their service's
 * authorize page (approving), our callback. True when our success page was shown.
 */
export async function subscribeFrom(
  site: LoadSite,
  listener: ReferenceListener,
  nickname: string,
): Promise<boolean> {
  const b = new Browser();
  const start = await b.postForm(`${site.url}omb/subscribe`, {
    profile_url: listener.profileUrl(nickname),
  });
  if (start.status !== 303) return false;
  const authorize = await b.follow(start);
  if (authorize.status !== 303) return false;
  const finish = await b.follow(authorize);
  return finish.status === 200 && finish.body.includes("You are subscribed");
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
  const body = JSON.stringify({ source: "load-test", n: Math.random() });
  try {
    const res = await fetch(site.url + SIDECAR_PATHS.hook.slice(1), {
      method: "POST",
      headers: { "content-type": "application/json", ...signHook(HOOK_SECRET, body) },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.text();
    return res.status;
  } catch {
    return 0; // killed while answering, or no process
  }
}

/** Opens the store read-only (it must parse), runs `read` on it and closes it. */
export async function readStore<T>(dataFile: string, read: (s: Store) => T): Promise<T> {
  const store = await Store.open(dataFile, { readOnly: true });
  try {
    return read(store);
  } finally {
    await store.close();
  }
}

/** URIs in `want` that the store's inbox lacks. */
export async function missingFromInbox(
  dataFile: string,
  want: Iterable<string>,
): Promise<string[]> {
  const have = await readStore(dataFile, (s) => new Set(s.inbox().map((n) => n.uri)));
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
