import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Manifest } from "../contract/manifest.js";
import type { Store } from "../sidecar/store/store.js";
import { callDeployHook } from "./helpers/deploy-hook.js";
import { ombDestination } from "./helpers/fixtures.js";
import { readStore as inStore } from "./helpers/read-store.js";
import { waitFor } from "./helpers/receiver.js";
import { testManifest, testNotice, writeManifest } from "./helpers/receiver-manifest.js";
import { cli as runCli } from "./helpers/serve-process.js";
import {
  SITE_PROFILE,
  SITE_URL,
  type SidecarProcess,
  siteBrowser,
  startSidecarProcess,
} from "./reference-listener/sidecar-process.js";
import { type ReferenceListener, startReferenceListener } from "./reference-listener/spawn.js";

/**
 * Delivery between real processes on loopback: a sidecar (`eleventy-federation serve`), three
 * reference listeners (independent OMB listeners, two users each, subscribed through the
 * real subscribe flow) = six subscribers at three postNotice URLs. Deploys are announced
 * through the signed hook, as a CI step would.
 */

const SECRET = "integration-hook-secret";
process.env.FEDERATION_HOOK_SECRET = SECRET;

let sidecar: SidecarProcess;
let listeners: ReferenceListener[] = [];
const profile = { ...SITE_PROFILE };
const manifest = (ids: number[], p: Partial<Manifest["profile"]> = {}) =>
  testManifest(SITE_URL, ids, { ...profile, ...p });

async function deploy(m: Manifest): Promise<Record<string, unknown>> {
  await writeManifest(path.join(sidecar.dir, "manifest.json"), m);
  const res = await callDeployHook(sidecar.url, SECRET, { source: "test" });
  const answer = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 200, JSON.stringify(answer));
  return answer;
}

/** The notice URIs a listener received through postNotice, in order. */
async function received(l: ReferenceListener): Promise<string[]> {
  return (await l.seen()).notices.map((n) => n.params.omb_notice ?? "");
}

const readStore = <T>(read: (s: Store) => T) => inStore(sidecar.dataFile, read);
const cli = (...args: string[]) => runCli(sidecar.configFile, args);

before(async () => {
  [sidecar, ...listeners] = await Promise.all([
    startSidecarProcess({
      config: {
        logLevel: "warn",
        delivery: { concurrency: 4, baseDelaySeconds: 0.2, maxDelaySeconds: 0.4 },
      },
    }),
    ...[0, 1, 2].map(() => startReferenceListener({ users: ["alice", "bob"] })),
  ]);
  // The site as the first visitor finds it: two posts, recorded before they subscribe.
  await writeManifest(path.join(sidecar.dir, "manifest.json"), manifest([1, 2]));
  const browser = siteBrowser(sidecar);
  for (const l of listeners) {
    for (const nickname of ["alice", "bob"]) {
      const start = await browser.postForm(`${SITE_URL}omb/subscribe`, {
        profile_url: l.profileUrl(nickname),
      });
      const finish = await browser.follow(await browser.follow(start));
      assert.equal(finish.status, 200, `subscribe ${nickname}: ${finish.body}`);
    }
  }
});

after(async () => {
  await Promise.all([sidecar?.stop(), ...listeners.map((l) => l.stop())]);
});

describe("delivery to reference listeners", () => {
  it("the posts on the site before the first subscriber are recorded then and flood nobody", async () => {
    assert.equal(await readStore(async (s) => (await s.followers()).length), 6);
    assert.equal((await readStore((s) => s.syncState())).lastSyncSource, "first-subscriber");
    const first = await deploy(manifest([1, 2]));
    assert.equal(first.outcome, "synced");
    assert.equal(first.newNotices, 0);
    await new Promise((r) => setTimeout(r, 300));
    for (const l of listeners) assert.deepEqual(await received(l), []);
  });

  it("a deploy with two new posts reaches every listener once per postNotice URL", async () => {
    const r = await deploy(manifest([1, 2, 3, 4]));
    assert.equal(r.newNotices, 2);
    assert.equal(r.destinations, 3);
    const want = [testNotice(SITE_URL, 3).uri, testNotice(SITE_URL, 4).uri];
    for (const l of listeners)
      await waitFor(async () => (await received(l)).length >= 2, "2 notices");
    for (const l of listeners) {
      const seen = await l.seen();
      assert.deepEqual(
        seen.notices.map((n) => n.params.omb_notice),
        want,
        "once each, in order",
      );
      // the listener's own fan-out: both of its users follow the site
      for (const n of seen.notices)
        assert.deepEqual(n.listener.sort(), [l.userUri(1), l.userUri(2)]);
      const posts = seen.requests.filter((q) => q.path === "/postnotice");
      assert.equal(posts.length, 2);
      for (const q of posts) {
        assert.equal(q.signatureValid, true);
        assert.equal(q.status, 200);
        assert.equal(q.params.oauth_consumer_key, SITE_URL);
        assert.equal(q.params.omb_listenee, SITE_URL);
      }
      const [first] = seen.notices;
      assert.equal(first?.params.omb_notice_content, testNotice(SITE_URL, 3).content);
      assert.equal(first?.params.omb_notice_url, testNotice(SITE_URL, 3).url);
      assert.equal(first?.params.omb_notice_license, profile.license);
    }
  });

  it("a second sync with the same manifest sends nothing", async () => {
    const r = await deploy(manifest([1, 2, 3, 4]));
    assert.equal(r.newNotices, 0);
    assert.deepEqual(r.profileChanged, []);
    await new Promise((r) => setTimeout(r, 300));
    for (const l of listeners) assert.equal((await received(l)).length, 2);
  });

  it("a listener that is down gets everything once it is back, after its retry", async () => {
    const [, down] = listeners;
    assert.ok(down);
    await down.control({ postNotice: "down" });
    await deploy(manifest([1, 2, 3, 4, 5, 6]));
    await waitFor(
      async () => (await down.seen()).requests.filter((q) => q.status === 503).length >= 2,
      "two failed attempts",
    );
    for (const l of listeners.filter((x) => x !== down)) {
      await waitFor(
        async () => (await received(l)).length === 4,
        "the others are served meanwhile",
      );
    }
    const failing = await readStore((s) => s.destination(ombDestination(`${down.url}/postnotice`)));
    assert.ok((failing?.attempts ?? 0) >= 1);
    assert.match(failing?.lastError ?? "", /HTTP 503/);
    await down.control({ postNotice: "ok" });
    await waitFor(async () => (await received(down)).length === 4, "delivery after the retry");
    assert.deepEqual((await received(down)).slice(2), [
      testNotice(SITE_URL, 5).uri,
      testNotice(SITE_URL, 6).uri,
    ]);
  });

  it("a 403 removes that subscription and the other user's token carries the notice", async () => {
    const l = listeners[2];
    assert.ok(l);
    await l.control({ postNotice: "403", pushTimes: 1 });
    await deploy(manifest([1, 2, 3, 4, 5, 6, 7]));
    await waitFor(async () => (await received(l)).length === 5, "notice 7 via the other token");
    const subs = await readStore((s) => s.followersAt(ombDestination(`${l.url}/postnotice`)));
    assert.equal(subs.length, 1);
    const failures = await readStore((s) => s.failures());
    assert.ok(failures.some((f) => f.status === 403 && f.destination === `${l.url}/postnotice`));
    assert.match(sidecar.stderr(), /"level":40.*403.*Revoked accesstoken/);
  });

  it("when the last subscriber there revokes us, the destination is gone", async () => {
    const l = listeners[2];
    assert.ok(l);
    await l.control({ unsubscribe: SITE_URL });
    await deploy(manifest([1, 2, 3, 4, 5, 6, 7, 8]));
    await waitFor(
      async () =>
        (await readStore((s) => s.destination(ombDestination(`${l.url}/postnotice`)))) ===
        undefined,
      "destination dropped",
    );
    for (const x of listeners.slice(0, 2))
      await waitFor(async () => (await received(x)).length === 6, "others get 8");
    assert.equal(await readStore(async (s) => (await s.followers()).length), 4);
  });

  it("a profile change is pushed once with all nine fields; an unchanged profile is not", async () => {
    const r = await deploy(
      manifest([1, 2, 3, 4, 5, 6, 7, 8], { fullname: "New Name", avatar: "" }),
    );
    assert.deepEqual(r.profileChanged, ["fullname", "avatar"]);
    const live = listeners.slice(0, 2);
    for (const l of live)
      await waitFor(async () => (await l.seen()).profiles.length === 1, "updateProfile");
    await deploy(manifest([1, 2, 3, 4, 5, 6, 7, 8], { fullname: "New Name", avatar: "" }));
    await new Promise((r) => setTimeout(r, 300));
    for (const l of live) {
      const seen = await l.seen();
      assert.equal(seen.profiles.length, 1, "pushed once");
      const p = seen.profiles[0]?.params ?? {};
      assert.equal(p.omb_listenee_fullname, "New Name");
      assert.equal(p.omb_listenee_avatar, "", "cleared field sent empty");
      assert.equal(p.omb_listenee_bio, profile.bio);
      assert.equal(Object.keys(p).filter((k) => k.startsWith("omb_listenee")).length, 9);
      const req = seen.requests.find((q) => q.path === "/updateprofile");
      assert.equal(req?.signatureValid, true);
    }
  });

  it("the CLI works beside the running sidecar: status, sync through the hook, deliver refused", async () => {
    const status = JSON.parse((await cli("status", "--json")).stdout);
    assert.equal(status.subscribers, 4);
    assert.equal(status.pending, 0);
    assert.equal(status.destinations, 2);
    assert.equal(status.sync.lastSyncError, undefined);
    assert.equal(status.recentFailures.length, 2, "the two revoked subscriptions");

    const sync = JSON.parse((await cli("sync", "--json", "--url", sidecar.url)).stdout);
    assert.equal(sync.outcome, "synced");
    assert.equal(sync.newNotices, 0);

    await assert.rejects(cli("deliver"), (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /another sidecar.*delivers by itself/s);
      return true;
    });

    const [first] = listeners;
    assert.ok(first);
    await cli("subscribers", "remove", first.userUri(1), "--url", sidecar.url);
    assert.equal(await readStore(async (s) => (await s.followers()).length), 3);
  });
});
