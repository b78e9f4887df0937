import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Follow } from "@fedify/vocab";
import type { FollowReplies } from "../activitypub/follow-replies.js";
import { FollowRequests, listFollowRequests } from "../activitypub/follow-requests.js";
import { parseConfig } from "../config.js";
import type { Context } from "../context.js";
import { openMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/store.js";
import { followersSection } from "./followers-section.js";
import { apFollower, KEYS, omb, seedInstances } from "./instances.test-helper.js";
import { statusReport } from "./status-data.js";

const config = parseConfig(
  { siteUrl: "https://site.example/", publicUrl: "https://fed.site.example/", dataFile: "x.json" },
  "test",
  "/tmp",
  {},
);

async function render(s: Store): Promise<string> {
  const st = await statusReport(s, config, { failures: 50 });
  return followersSection(st, await listFollowRequests(s)).value;
}

/** The `<section class="instance…">` blocks of a protocol, in page order: [host, html]. */
function instances(out: string, protocol: string): [string, string][] {
  const block = out.split(`data-protocol="${protocol}"`)[1]?.split('<section class="protocol"')[0];
  assert.ok(block, `a ${protocol} block`);
  return block
    .split('<section class="instance')
    .slice(1)
    .map((s) => [/data-instance="([^"]+)"/.exec(s)?.[1] ?? "", s]);
}

describe("the status page's followers section", () => {
  it("shows each protocol's instances, failing first, with count, state, last error and failure", async () => {
    const s = await openMemoryStore();
    await seedInstances(s);
    const out = await render(s);
    const omb = instances(out, "omb");
    assert.deepEqual(
      omb.map(([h]) => h),
      ["b.example", "gone.example", "a.example"],
    );
    const [b, gone, a] = omb.map(([, html]) => html);
    assert.ok(b?.startsWith(' failing"'), "marked failing");
    assert.match(b ?? "", /<h4>b\.example <span class="step">1 follower<\/span><\/h4>/);
    assert.match(b ?? "", /retrying<\/span> \(3 failed attempts since/);
    assert.match(b ?? "", /<code dir="auto">HTTP 500: &lt;h1&gt;oops&lt;\/h1&gt; &lt;script&gt;/);
    assert.ok(!(b ?? "").includes("<script>"), "the remote body is text");
    assert.ok((b ?? "").includes("x".repeat(200)) && !(b ?? "").includes("x".repeat(400)));
    assert.match(gone ?? "", /given up \d{4}-/);
    assert.match(
      gone ?? "",
      /Newest permanent failure, .*: <code dir="auto">gave up after 9 attempts/,
    );
    assert.match(a ?? "", /<h4>a\.example <span class="step">2 followers<\/span>/);
    assert.match(a ?? "", /up to date/);
    assert.match(
      a ?? "",
      /Newest permanent failure, [^<]* \(HTTP 400\): <code dir="auto">refused: &lt;b&gt;bad notice&lt;\/b&gt;<\/code>/,
    );
    const ap = instances(out, "activitypub");
    assert.deepEqual(
      ap.map(([h]) => h),
      ["masto.example", "pleroma.example"],
    );
    assert.match(out, /ActivityPub <span class="step">4 followers on 2 instances<\/span>/);
    assert.equal((ap[1]?.[1].match(/<tr data-destination=/g) ?? []).length, 2);
    assert.ok(ap[0]?.[1].includes(`data-destination="${KEYS.masto}"`));
    assert.ok(!out.includes("follow-requests"), "no requests, no list");
  });

  it("lists the follow requests waiting for the owner, their names as text", async () => {
    const s = await openMemoryStore();
    await s.saveFollower(omb(1, "a.example"));
    const requests = new FollowRequests({ store: s } as Context, {} as FollowReplies);
    const asker = apFollower("eve", "evil.example");
    asker.profile.handle = "<img src=x onerror=alert(1)>\u202Eeve";
    asker.profile.url = "javascript:alert(1)";
    const follow = new Follow({
      id: new URL(asker.credentials.followId),
      actor: new URL(asker.id),
      object: new URL("https://fed.site.example/actor"),
    });
    assert.equal(await requests.hold(asker, follow), true);
    const out = await render(s);
    const block = out.split('<section class="follow-requests">')[1] ?? "";
    assert.match(block, /Follow requests waiting for your approval \(1\)/);
    assert.ok(block.includes("&lt;img src=x onerror=alert(1)&gt;eve"), block);
    assert.ok(!out.includes("<img") && !out.includes("\u202E") && !out.includes("javascript:"));
    assert.ok(block.includes("https://evil.example/users/eve"));
    assert.match(block, /eleventy-federation followers approve &lt;actor&gt;/);
  });
});
