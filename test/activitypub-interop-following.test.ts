/**
 * The site follows a real, independent Fedify server (test/fixtures/fedify-peer) by handle,
 * and that server's user acts as a fediverse user does: posts, edits, deletes and boosts
 * reach the site's timeline; replies, likes and boosts of the site's posts come back, wait
 * for the owner, and once approved are in the export the post pages are built from; an Undo
 * and a Delete take them back; a blocked domain is refused; unfollowing sends Undo(Follow).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apUrl } from "../contract/activitypub-paths.js";
import { postObjectId } from "../protocol/activitypub/post-object.js";
import { apRuntime } from "../sidecar/activitypub/wing.js";
import { unfollow } from "../sidecar/following/unfollow.js";
import { inboxExport } from "../sidecar/inbox/export.js";
import { interactionsExport } from "../sidecar/interactions/export.js";
import { listReplies } from "../sidecar/interactions/interactions.js";
import { block, blockTarget, moderateReply } from "../sidecar/interactions/moderation.js";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";
import { type FedifyPeer, startFedifyPeer } from "./helpers/fedify-peer.js";
import { waitFor } from "./helpers/receiver.js";

describe("the site follows a Fedify peer, and the peer's user answers the site", () => {
  let sc: ApSidecar;
  let peer: FedifyPeer;
  let actor: string;
  let postId: string;
  let postUri: string;
  const timeline = async () => (await inboxExport(sc.ctx.store)).inbox;
  const exported = async () => (await interactionsExport(sc.ctx.store, sc.url)).posts;

  before(async () => {
    sc = await startApSidecar({ firstRetrySeconds: 0.05 }, { posts: true });
    peer = await startFedifyPeer();
    actor = apUrl(sc.url, "actor", { identifier: sc.manifest.profile.nickname });
    // The first sync records the site's posts: their object ids now answer.
    assert.equal((await sc.publish(sc.manifest)).outcome, "first-sync");
    postUri = sc.manifest.notices[0]?.uri ?? "";
    postId = postObjectId(sc.url, postUri).href;
  });
  after(async () => {
    await peer?.close();
    await sc?.close();
  });

  it("follows the peer by handle: pending until its Accept, then shown as following", async () => {
    const runtime = apRuntime(sc.ctx);
    assert.ok(runtime);
    const { followed, delivered } = await runtime.following.follow(`@${peer.handle}`);
    assert.equal(followed.id, peer.actorUrl, "WebFinger found the actor");
    assert.equal(delivered, true);
    await waitFor(async () => {
      const f = await sc.ctx.store.followedAccount(peer.actorUrl);
      return f?.protocol === "activitypub" && f.credentials.accepted;
    }, "the peer's Accept");
    assert.ok((await peer.followers()).includes(actor), "the peer counts the site as a follower");
    const entry = (await inboxExport(sc.ctx.store)).following.find((f) => f.uri === peer.actorUrl);
    assert.equal(entry?.protocol, "activitypub");
    assert.equal(entry?.pending, undefined);
  });

  it("the peer's post, edit, boost and delete show on the timeline exactly so", async () => {
    const { noteId } = await peer.post({
      content:
        '<p>Hello <strong>site</strong><script>alert(1)</script><img src=x onerror="alert(2)"></p>',
      summary: "a warning",
      attachment: [
        { url: `${peer.url}/media/cat.png`, mediaType: "image/png", name: "A cat on a bike" },
      ],
    });
    await waitFor(
      async () => (await timeline()).some((n) => n.uri === noteId),
      "the post on the timeline",
    );
    let got = (await timeline()).find((n) => n.uri === noteId);
    assert.equal(
      got?.content,
      "<p>Hello <strong>site</strong></p>",
      "sanitized: no script, no image, no handler",
    );
    assert.equal(got?.activitypub?.summary, "a warning");
    assert.deepEqual(got?.activitypub?.attachments, [
      { url: `${peer.url}/media/cat.png`, mediaType: "image/png", name: "A cat on a bike" },
    ]);
    assert.equal(got?.activitypub?.author.id, peer.actorUrl);

    await peer.edit(noteId, "<p>Hello, edited</p>");
    await waitFor(
      async () =>
        (await timeline()).find((n) => n.uri === noteId)?.content === "<p>Hello, edited</p>",
      "the edit",
    );
    got = (await timeline()).find((n) => n.uri === noteId);
    assert.ok(got?.activitypub?.updated, "marked as edited");
    assert.equal(
      (await timeline()).filter((n) => n.uri === noteId).length,
      1,
      "replaced, not added",
    );

    const { activityId: boostId } = await peer.boost(noteId);
    await waitFor(async () => (await timeline()).some((n) => n.uri === boostId), "the boost");
    const boost = (await timeline()).find((n) => n.uri === boostId);
    assert.equal(boost?.activitypub?.boostedBy?.id, peer.actorUrl);
    assert.equal(
      boost?.activitypub?.author.id,
      peer.actorUrl,
      "shown as a boost of its original author",
    );

    const { noteId: privateId } = await peer.post({
      content: "<p>Only for followers</p>",
      to: "followers",
    });
    assert.equal(
      (await timeline()).some((n) => n.uri === privateId),
      false,
      "a followers-only post never reaches the public timeline",
    );

    await peer.undo(boostId);
    await waitFor(
      async () => !(await timeline()).some((n) => n.uri === boostId),
      "the boost undone",
    );
    await peer.delete(noteId);
    await waitFor(
      async () => !(await timeline()).some((n) => n.uri === noteId),
      "the deleted post gone",
    );
  });

  it("a reply waits for the owner; approved, it and the likes and boosts are exported; Undo and Delete take them back", async () => {
    const { noteId: replyId } = await peer.post({
      content: "<p>Nice post!</p>",
      inReplyTo: postId,
    });
    await waitFor(
      async () => (await listReplies(sc.ctx.store)).some((r) => r.id === replyId),
      "the reply stored",
    );
    assert.equal((await listReplies(sc.ctx.store)).find((r) => r.id === replyId)?.state, "pending");
    assert.deepEqual(await exported(), [], "nothing public before approval");
    assert.equal(
      (await timeline()).some((n) => n.uri === replyId),
      false,
      "a reply is not a timeline post",
    );

    // A reply to that reply belongs to the same post's thread.
    const { noteId: deeper } = await peer.post({
      content: "<p>And more</p>",
      inReplyTo: replyId,
      mention: actor,
    });
    await waitFor(
      async () => (await listReplies(sc.ctx.store)).some((r) => r.id === deeper),
      "the reply to the reply",
    );
    assert.equal((await listReplies(sc.ctx.store)).find((r) => r.id === deeper)?.postUri, postUri);

    await moderateReply(sc.ctx, replyId, "approve");
    const { activityId: likeId } = await peer.like(postId);
    await peer.boost(postId);
    await waitFor(async () => {
      const [p] = await exported();
      return p?.likes === 1 && p.boosts === 1;
    }, "the like and the boost counted");
    const [p] = await exported();
    assert.equal(p?.uri, postUri);
    assert.equal(p?.objectId, postId);
    assert.deepEqual(
      p?.replies.map((r) => [r.id, r.content, r.author.id]),
      [[replyId, "<p>Nice post!</p>", peer.actorUrl]],
    );

    await peer.undo(likeId);
    await waitFor(async () => (await exported())[0]?.likes === 0, "the like undone");
    await peer.delete(replyId);
    await waitFor(
      async () => (await exported())[0]?.replies.length === 0,
      "the deleted reply gone",
    );
    assert.equal((await exported())[0]?.boosts, 1, "the boost stays");
  });

  it("a blocked domain's reply is refused at the inbox, and its followers and interactions go", async () => {
    await block(sc.ctx, blockTarget(new URL(peer.url).hostname, true));
    assert.equal((await listReplies(sc.ctx.store)).length, 0, "its stored replies went");
    await assert.rejects(
      peer.post({ content: "<p>Blocked?</p>", inReplyTo: postId }),
      /403/,
      "the inbox refuses the blocked domain",
    );
    assert.equal((await listReplies(sc.ctx.store)).length, 0, "nothing was added");
    assert.equal((await exported()).length, 0, "its boost went too");
  });

  it("unfollowing sends Undo(Follow), and the peer forgets the site", async () => {
    assert.equal(await unfollow(sc.ctx, peer.actorUrl), true);
    await peer.waitFor((r) => r.some((a) => a.type === "Undo" && a.actor === actor), 10_000);
    assert.equal((await peer.followers()).includes(actor), false);
  });
});
