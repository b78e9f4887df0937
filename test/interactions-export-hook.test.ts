/**
 * What the post pages show is kept in step: an approval, a like and a hidden reply rewrite
 * interactions.json beside the data file and call the site build hook (debounced); a reply
 * only waiting for the owner changes neither.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { interactionsExportSchema } from "../contract/interactions-export.js";
import { type InboxSync, startInboxSync } from "../sidecar/inbox/sync.js";
import { interactionsExportFile } from "../sidecar/interactions/export.js";
import { Interactions } from "../sidecar/interactions/interactions.js";
import { moderateReply } from "../sidecar/interactions/moderation.js";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";
import { waitFor } from "./helpers/receiver.js";

describe("interactions.json and the build hook", () => {
  let sc: ApSidecar;
  let sync: InboxSync;
  let hookCalls = 0;
  const hook = createServer((_req, res) => {
    hookCalls++;
    res.end("ok");
  });
  before(async () => {
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/build`;
    sc = await startApSidecar({}, { config: { buildHook: { url, debounceSeconds: 0 } } });
    await sc.publish(sc.manifest);
    sync = await startInboxSync(sc.ctx);
  });
  after(async () => {
    await sync?.close();
    await sc?.close();
    hook.close();
  });

  const file = () => interactionsExportFile(sc.config) ?? "";
  const read = async () =>
    interactionsExportSchema.parse(JSON.parse(await readFile(file(), "utf8")));
  const postUri = () => sc.manifest.notices[0]?.uri ?? "";
  const author = {
    id: "https://social.example/users/a",
    name: "A",
    url: "https://social.example/@a",
  };

  it("a waiting reply changes nothing public; approving it rewrites the export and calls the hook", async () => {
    const ix = new Interactions(sc.ctx);
    await ix.saveReply({
      id: "https://social.example/notes/1",
      url: "https://social.example/@a/1",
      inReplyTo: postUri(),
      postUri: postUri(),
      author,
      content: "<p>hi</p>",
      published: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      state: "pending",
    });
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(hookCalls, 0, "nothing visible changed");
    await moderateReply(sc.ctx, "https://social.example/notes/1", "approve");
    await waitFor(async () => hookCalls === 1, "the build hook", 10_000);
    await waitFor(
      async () => (await read().catch(() => null))?.posts.length === 1,
      "the export",
      10_000,
    );
    const [post] = (await read()).posts;
    assert.equal(post?.uri, postUri());
    assert.equal(
      post?.url,
      sc.manifest.notices[0]?.url,
      "the post's page, from the published record",
    );
    assert.deepEqual(
      post?.replies.map((r) => r.content),
      ["<p>hi</p>"],
    );

    await ix.saveReaction({
      kind: "like",
      activityId: "https://social.example/likes/1",
      actor: author,
      postUri: postUri(),
      at: new Date().toISOString(),
    });
    await waitFor(
      async () => (await read()).posts[0]?.likes === 1,
      "the like in the export",
      10_000,
    );
    await moderateReply(sc.ctx, "https://social.example/notes/1", "hide");
    await waitFor(
      async () => (await read()).posts[0]?.replies.length === 0,
      "the hidden reply gone",
      10_000,
    );
    assert.ok(hookCalls >= 2, "each visible change asks for a build");
  });
});
