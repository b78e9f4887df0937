/**
 * Interop with a real, independent Fedify server (test/fixtures/fedify-peer) over loopback:
 * it follows the site's actor, with RFC 9421 and with draft-cavage as its first knock, gets
 * a verified Accept, and unfollows; and a follow held for the owner's approval.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apUrl } from "../contract/activitypub-paths.js";
import { apRuntime } from "../sidecar/activitypub/wing.js";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";
import { type FedifyPeer, type FirstKnock, startFedifyPeer } from "./helpers/fedify-peer.js";
import { waitFor } from "./helpers/receiver.js";

const siteActor = (sc: ApSidecar) =>
  apUrl(sc.url, "actor", { identifier: sc.manifest.profile.nickname });

async function stateOf(peer: FedifyPeer, actor: string) {
  return (await peer.following()).find((f) => f.actor === actor)?.state;
}

const waitForState = (peer: FedifyPeer, actor: string, state: string) =>
  waitFor(async () => (await stateOf(peer, actor)) === state, `the peer's follow to be ${state}`);

/** The peer's verified Accept or Reject of `followId`, from the site's actor. */
async function answerOf(peer: FedifyPeer, type: "Accept" | "Reject", followId: string) {
  const list = await peer.waitFor((r) => r.some((a) => a.type === type));
  const answer = list.find((a) => a.type === type);
  assert.equal(answer?.objectId, followId);
  return answer;
}

for (const firstKnock of ["rfc9421", "draft-cavage-http-signatures-12"] as FirstKnock[]) {
  describe(`a Fedify peer (first knock ${firstKnock}) follows the site`, () => {
    let sc: ApSidecar;
    let peer: FedifyPeer;
    before(async () => {
      // One at a time: a peer that fails to start must leave `sc` set for after() to close.
      sc = await startApSidecar();
      peer = await startFedifyPeer({ firstKnock });
    });
    after(async () => {
      await peer?.close();
      await sc?.close();
    });

    it("gets a verified Accept, is stored as a follower, and unfollows", async () => {
      const actor = siteActor(sc);
      const { followId } = await peer.follow(actor);
      await waitForState(peer, actor, "accepted");
      const accept = await answerOf(peer, "Accept", followId);
      assert.equal(accept?.actor, actor);
      assert.equal(accept?.keyId, `${actor}#main-key`);
      assert.ok(accept?.signature && accept.signedComponents.length > 0, "a signed Accept");
      // The site verified the first knock: Fedify needed no second try and remembers it.
      assert.equal((await peer.signatureSpecs())[new URL(sc.url).origin], firstKnock);

      const follower = await sc.ctx.store.follower(peer.actorUrl);
      assert.equal(follower?.protocol, "activitypub");
      assert.ok(follower?.protocol === "activitypub");
      assert.equal(follower.credentials.followId, followId);
      assert.equal(follower.credentials.inbox, `${peer.url}/users/peer/inbox`);
      assert.equal(follower.credentials.sharedInbox, `${peer.url}/inbox`);
      assert.equal(follower.profile.handle, `peer@${new URL(peer.url).host}`);

      await peer.unfollow(actor);
      await waitFor(
        async () => (await sc.ctx.store.follower(peer.actorUrl)) === undefined,
        "the follower to be removed",
      );
    });
  });
}

describe("a Fedify peer follows a site that approves its followers", () => {
  let sc: ApSidecar;
  let peer: FedifyPeer;
  before(async () => {
    sc = await startApSidecar({ manuallyApprovesFollowers: true });
    peer = await startFedifyPeer();
  });
  after(async () => {
    await peer?.close();
    await sc?.close();
  });

  const heldRequest = async () => {
    const rt = apRuntime(sc.ctx);
    assert.ok(rt);
    await waitFor(
      async () => (await rt.requests.list()).some((r) => r.follower.id === peer.actorUrl),
      "the follow request",
    );
    return rt;
  };

  it("stays pending until the owner approves, then is accepted", async () => {
    const actor = siteActor(sc);
    const { followId } = await peer.follow(actor);
    const rt = await heldRequest();
    assert.equal(await stateOf(peer, actor), "pending");
    assert.equal(await sc.ctx.store.follower(peer.actorUrl), undefined);
    assert.deepEqual(
      (await peer.received()).map((a) => a.type),
      [],
    );

    assert.equal(await rt.requests.approve(peer.actorUrl), true);
    await waitForState(peer, actor, "accepted");
    await answerOf(peer, "Accept", followId);
    assert.ok(await sc.ctx.store.follower(peer.actorUrl));

    await peer.unfollow(actor);
    await waitFor(
      async () => (await sc.ctx.store.follower(peer.actorUrl)) === undefined,
      "the follower to be removed",
    );
  });

  it("is rejected when the owner refuses", async () => {
    await peer.reset();
    const actor = siteActor(sc);
    const { followId } = await peer.follow(actor);
    const rt = await heldRequest();
    assert.equal(await rt.requests.reject(peer.actorUrl), true);
    await waitForState(peer, actor, "rejected");
    await answerOf(peer, "Reject", followId);
    assert.equal(await sc.ctx.store.follower(peer.actorUrl), undefined);
  });
});
