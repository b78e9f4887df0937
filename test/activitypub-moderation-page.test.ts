/**
 * The status page's fediverse side, as the owner uses it: the follow form follows a Fedify
 * peer (pending, then accepted); the peer's reply waits with Approve, Hide, Delete and Block
 * buttons that need the login and the CSRF token; Approve puts it in the export, Hide takes it
 * out, Block domain removes it and refuses the domain; notifications list what happened.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { postObjectId } from "../protocol/activitypub/post-object.js";
import { interactionsExport } from "../sidecar/interactions/export.js";
import { listReplies } from "../sidecar/interactions/interactions.js";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";
import { type FedifyPeer, startFedifyPeer } from "./helpers/fedify-peer.js";
import { waitFor } from "./helpers/receiver.js";
import { Browser, formAction, hiddenField } from "./helpers/remote-listenee-browser.js";
import { logIn, passwordHash } from "./helpers/remote-listenee-flow.js";

describe("moderation on the status page", () => {
  let sc: ApSidecar;
  let peer: FedifyPeer;
  let browser: Browser;
  before(async () => {
    sc = await startApSidecar(
      {},
      { posts: true, secrets: { ownerPasswordHash: await passwordHash() } },
    );
    peer = await startFedifyPeer();
    await sc.publish(sc.manifest);
    browser = new Browser();
    await logIn(browser, `${sc.url}admin/login`);
  });
  after(async () => {
    await peer?.close();
    await sc?.close();
  });

  const page = async () => (await browser.get(`${sc.url}admin`)).body;
  const exported = async () => (await interactionsExport(sc.ctx.store, sc.url)).posts;

  it("the follow form follows by handle; the account shows pending, then following", async () => {
    const body = await page();
    const action = formAction(body, "/admin/following/add");
    const csrf = hiddenField(body, "csrf");
    assert.ok(action && csrf);
    const forged = await new Browser().post(action, { csrf, account: `@${peer.handle}` });
    assert.notEqual(forged.status, 303, "not without the login");
    assert.equal((await browser.post(action, { csrf, account: `@${peer.handle}` })).status, 303);
    await waitFor(async () => {
      const f = await sc.ctx.store.followedAccount(peer.actorUrl);
      return f?.protocol === "activitypub" && f.credentials.accepted;
    }, "the Accept");
    const after = await page();
    assert.match(after, new RegExp(`data-following="${peer.actorUrl}"`));
    assert.doesNotMatch(after, /request pending/);
    const unknown = await browser.post(action, { csrf, account: "@nobody@127.0.0.1:1" });
    assert.equal(unknown.status, 422);
    assert.match(unknown.body, /cannot find @nobody@127\.0\.0\.1:1/);
  });

  it("a reply waits with its buttons; Approve exports it, Hide takes it back, Block domain removes it", async () => {
    const postId = postObjectId(sc.url, sc.manifest.notices[0]?.uri ?? "").href;
    const { noteId } = await peer.post({
      content: "<p>Lovely <em>post</em></p>",
      inReplyTo: postId,
    });
    await waitFor(async () => (await listReplies(sc.ctx.store)).length === 1, "the reply");
    let body = await page();
    assert.match(body, /Replies \(1 waiting\)/);
    assert.match(body, new RegExp(`data-reply="${noteId}" data-state="pending"`));
    assert.match(body, /<p>Lovely <em>post<\/em><\/p>/, "shown as the post page would show it");
    assert.match(body, /data-kind="reply"/, "a notification");
    const moderate = formAction(body, "/admin/replies/moderate");
    const csrf = hiddenField(body, "csrf");
    assert.ok(moderate && csrf);
    assert.notEqual(
      (await new Browser().post(moderate, { csrf, id: noteId, action: "approve" })).status,
      303,
    );
    assert.deepEqual(await exported(), []);

    assert.equal(
      (await browser.post(moderate, { csrf, id: noteId, action: "approve" })).status,
      303,
    );
    assert.deepEqual(
      (await exported())[0]?.replies.map((r) => r.id),
      [noteId],
    );
    assert.equal((await browser.post(moderate, { csrf, id: noteId, action: "hide" })).status, 303);
    assert.deepEqual(await exported(), []);
    assert.equal(
      (await browser.post(moderate, { csrf, id: "https://nowhere.example/x", action: "approve" }))
        .status,
      404,
    );

    body = await page();
    const blockAction = formAction(body, "/admin/blocks");
    assert.ok(blockAction);
    const host = new URL(peer.url).hostname;
    assert.equal(
      (await browser.post(blockAction, { csrf, target: host, domain: "1" })).status,
      303,
    );
    assert.equal((await listReplies(sc.ctx.store)).length, 0);
    body = await page();
    assert.match(body, new RegExp(`<td>domain</td><td>${host.replaceAll(".", "\\.")}</td>`));
    await assert.rejects(peer.post({ content: "<p>again</p>", inReplyTo: postId }), /403/);
    assert.equal(
      (await browser.post(blockAction, { csrf, target: host, domain: "1", unblock: "1" })).status,
      303,
    );
    assert.match(await page(), /Nothing is blocked\./);
  });
});
