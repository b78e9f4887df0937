// The first post after the first start. The sidecar runs with the site's manifest readable
// and has never synced; a reference listener subscribes through the real flow; the author
// publishes and the deploy hook syncs. That sync used to be the "first sync", which
// archives every post on the site, so the post the subscriber was waiting for reached
// nobody. The baseline is taken before the first follower is stored: the posts on the site
// then are archived, and the one published after is delivered.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { callDeployHook } from "./helpers/deploy-hook.js";
import { readStore } from "./helpers/read-store.js";
import { waitFor } from "./helpers/receiver.js";
import { testManifest, testNotice, writeManifest } from "./helpers/receiver-manifest.js";
import {
  SITE_PROFILE,
  SITE_URL,
  siteBrowser,
  startSidecarProcess,
} from "./reference-listener/sidecar-process.js";
import { startReferenceListener } from "./reference-listener/spawn.js";

const SECRET = "first-post-hook-secret";
process.env.FEDERATION_HOOK_SECRET = SECRET;

test("a post published after the first subscription reaches the subscriber; the older ones do not", async () => {
  const [sidecar, listener] = await Promise.all([
    startSidecarProcess({
      config: {
        logLevel: "warn",
        delivery: { concurrency: 2, baseDelaySeconds: 0.2, maxDelaySeconds: 0.4 },
      },
    }),
    startReferenceListener({ users: ["alice"] }),
  ]);
  try {
    const manifestFile = path.join(sidecar.dir, "manifest.json");
    await writeManifest(manifestFile, testManifest(SITE_URL, [1, 2], SITE_PROFILE));
    const syncState = () => readStore(sidecar.dataFile, (s) => s.syncState());
    assert.equal((await syncState()).initialized, false, "no sync ran before the visitor came");

    const browser = siteBrowser(sidecar);
    const start = await browser.postForm(`${SITE_URL}omb/subscribe`, {
      profile_url: listener.profileUrl("alice"),
    });
    const finish = await browser.follow(await browser.follow(start));
    assert.equal(finish.status, 200, `subscribe: ${finish.body}`);
    assert.equal((await syncState()).initialized, true, "the baseline was taken");

    await writeManifest(manifestFile, testManifest(SITE_URL, [1, 2, 3], SITE_PROFILE));
    const res = await callDeployHook(sidecar.url, SECRET, { source: "test" });
    const answer = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(answer));
    assert.equal(answer.outcome, "synced", JSON.stringify(answer));
    assert.equal(answer.newNotices, 1);

    const received = async () =>
      (await listener.seen()).notices.map((n) => n.params.omb_notice ?? "");
    await waitFor(async () => (await received()).length >= 1, "the new post");
    await new Promise((r) => setTimeout(r, 300)); // anything else would have come by now
    assert.deepEqual(await received(), [testNotice(SITE_URL, 3).uri], "only the new post");
  } finally {
    await Promise.all([sidecar.stop(), listener.stop()]);
  }
});
