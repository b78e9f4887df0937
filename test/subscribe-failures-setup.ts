// Shared setup for the subscribe-failure tests: a reference listener, four sidecars, page checks.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { readStore } from "./helpers/read-store.js";
import type { Browser, Visit } from "./reference-listener/browser.js";
import {
  SITE_URL,
  type SidecarProcess,
  siteBrowser,
  startSidecarProcess,
} from "./reference-listener/sidecar-process.js";
import {
  type Modes,
  type ReferenceListener,
  startReferenceListener,
} from "./reference-listener/spawn.js";

export const SUBSCRIBE = `${SITE_URL}omb/subscribe`;
export const FINISH = `${SITE_URL}omb/finishsubscribe`;

export let listener: ReferenceListener;
export let sidecar: SidecarProcess;
/** allowPrivateNetworks false: the SSRF guard is on. */
export let guarded: SidecarProcess;
/** Its siteUrl is the listener's own base URL: every listener profile is "ours". */
export let selfish: SidecarProcess;
/** Its manifest file does not exist: it has no profile to send. */
export let unbuilt: SidecarProcess;

/** Starts the listener and the four sidecars before the file's tests, stops them after. */
export function setUpSubscribeFailures(): void {
  before(async () => {
    listener = await startReferenceListener({ users: ["alice"] });
    [sidecar, guarded, selfish, unbuilt] = await Promise.all([
      startSidecarProcess(),
      startSidecarProcess({ config: { allowPrivateNetworks: false } }),
      startSidecarProcess({ config: { siteUrl: `${listener.url}/` } }),
      startSidecarProcess({ config: { manifest: "missing/manifest.json" } }),
    ]);
  });
  after(async () => {
    await Promise.all([listener, sidecar, guarded, selfish, unbuilt].map((p) => p?.stop()));
  });
}

export const browser = (s: SidecarProcess = sidecar): Browser => siteBrowser(s);

/** Sets listener modes for one test, and back to the defaults afterwards. */
export async function withModes(modes: Partial<Modes>, fn: () => Promise<void>): Promise<void> {
  await listener.control(modes);
  try {
    await fn();
  } finally {
    await listener.control({
      authorize: "approve",
      requestToken: "ok",
      accessToken: "ok",
      discovery: "ok",
    });
  }
}

export function assertPage(v: Visit, status: number, step: string): void {
  assert.equal(v.status, status, v.body);
  assert.match(v.headers.get("content-type") ?? "", /^text\/html/);
  assert.ok(v.body.includes(`Step that failed: ${step}</p>`), `step "${step}" in:\n${v.body}`);
  assert.doesNotMatch(v.body, /node_modules|\n\s+at |Error:/, "no stack trace");
}

export const start = (profileUrl: string, b = browser()) =>
  b.postForm(SUBSCRIBE, { profile_url: profileUrl });

/** Form → authorize → callback; returns the callback's answer. */
export async function walk(b = browser()): Promise<Visit> {
  const first = await start(listener.profileUrl("alice"), b);
  assert.equal(first.status, 303, first.body);
  const authorize = await b.follow(first);
  assert.equal(authorize.status, 303, authorize.body);
  return b.follow(authorize);
}

export function subscriberCount(s: SidecarProcess): Promise<number> {
  return readStore(s.dataFile, async (store) => (await store.followers()).length);
}
