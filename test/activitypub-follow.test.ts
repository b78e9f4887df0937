/** Follows over real HTTP: signed Follow → follower + signed Accept; refusals; Undo; manual approval. */
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { apRuntime } from "../sidecar/activitypub/wing.js";
import { destinationKey } from "../sidecar/store/store.js";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";
import { startTestActor, type TestActor } from "./helpers/ap-test-actor.js";
import { waitFor } from "./helpers/receiver.js";

let n = 0;
const followOf = (actor: TestActor, sc: ApSidecar) => ({
  id: `${actor.id}/follows/${++n}`,
  type: "Follow",
  actor: actor.id,
  object: `${sc.url}ap/users/ann`,
});

describe("ActivityPub follows", () => {
  let sc: ApSidecar;
  let bob: TestActor;
  before(async () => {
    sc = await startApSidecar();
  });
  after(() => sc.close());
  beforeEach(async () => {
    bob = await startTestActor();
  });
  afterEach(() => bob.close());

  const sharedInbox = () => `${sc.url}ap/inbox`;
  const personalInbox = () => `${sc.url}ap/users/ann/inbox`;

  for (const sign of ["cavage", "rfc9421"] as const) {
    it(`a Follow signed ${sign} makes a follower and gets a signed Accept embedding it`, async () => {
      const follow = followOf(bob, sc);
      const res = await bob.send(sign === "cavage" ? sharedInbox() : personalInbox(), follow, {
        sign,
      });
      assert.equal(res.status, 202, await res.text());
      const f = await sc.ctx.store.follower(bob.id);
      assert.equal(f?.protocol, "activitypub");
      assert.equal(f?.protocol === "activitypub" && f.credentials.followId, follow.id);
      assert.equal(f?.profile.handle, `bob@${new URL(bob.id).host}`);
      // Its destination is its inbox (it has no shared inbox), at the head of the log.
      assert.ok(await sc.ctx.store.destination(destinationKey("activitypub", bob.inbox)));
      await waitFor(() => bob.received.length > 0, "the Accept");
      const accept = bob.received.at(-1);
      assert.equal(accept?.body.type, "Accept");
      assert.equal(accept?.body.actor, `${sc.url}ap/users/ann`);
      assert.equal((accept?.body.object as { id?: string })?.id, follow.id);
      assert.equal(accept?.verifiedKey, `${sc.url}ap/users/ann#main-key`);
      assert.deepEqual(await apRuntime(sc.ctx)?.replies.pending(), []);
      await sc.ctx.store.removeFollower(bob.id);
    });
  }

  it("keeps an Accept their server did not take and sends it again later, same id", async () => {
    bob.inboxAnswers(503);
    const follow = followOf(bob, sc);
    assert.equal((await bob.send(sharedInbox(), follow)).status, 202);
    assert.ok(await sc.ctx.store.follower(bob.id), "the follower is stored at once");
    const replies = apRuntime(sc.ctx)?.replies;
    const [pending] = (await replies?.pending()) ?? [];
    assert.equal(pending?.actorId, bob.id);
    assert.equal(pending?.attempts, 1);
    assert.match(pending?.lastError ?? "", /HTTP 503/);
    bob.inboxAnswers(null);
    await replies?.retryDue(Date.now() + 24 * 3600_000);
    assert.deepEqual(await replies?.pending(), []);
    const accept = bob.received.at(-1);
    assert.equal(accept?.body.id, pending?.activity.id);
    assert.ok(accept?.verifiedKey);
    await sc.ctx.store.removeFollower(bob.id);
  });

  it("refuses unsigned, badly signed and tampered POSTs with 401, the store unchanged", async () => {
    for (const sign of ["none", "wrong-key"] as const) {
      const res = await bob.send(sharedInbox(), followOf(bob, sc), { sign });
      assert.equal(res.status, 401, sign);
    }
    const tampered = await bob.send(sharedInbox(), followOf(bob, sc), { tamper: true });
    assert.equal(tampered.status, 401, "body changed after signing (Digest mismatch)");
    assert.equal(await sc.ctx.store.follower(bob.id), undefined);
    assert.equal(bob.received.length, 0, "no Accept was sent");
  });

  it("refuses a body over 1 MB", async () => {
    const huge = { ...followOf(bob, sc), padding: "x".repeat(1024 * 1024) };
    const res = await bob.send(sharedInbox(), huge);
    assert.equal(res.status, 413);
  });

  it("Undo(Follow) removes the follower; a replayed Follow id is not processed twice", async () => {
    const follow = followOf(bob, sc);
    assert.equal((await bob.send(sharedInbox(), follow)).status, 202);
    await waitFor(() => bob.received.length > 0, "the Accept");
    assert.ok(await sc.ctx.store.follower(bob.id));
    const undo = { id: `${follow.id}/undo`, type: "Undo", actor: bob.id, object: follow };
    assert.equal((await bob.send(sharedInbox(), undo)).status, 202);
    assert.equal(await sc.ctx.store.follower(bob.id), undefined);
    // The same Follow again (same id): deduplicated, nothing stored, no second Accept.
    const replay = await bob.send(sharedInbox(), follow);
    assert.equal(replay.status, 202);
    assert.match(await replay.text(), /already been processed/);
    assert.equal(await sc.ctx.store.follower(bob.id), undefined);
    assert.equal(bob.received.length, 1);
  });

  it("Delete of the follower's actor removes it, also when its key is gone (410)", async () => {
    assert.equal((await bob.send(sharedInbox(), followOf(bob, sc))).status, 202);
    assert.ok(await sc.ctx.store.follower(bob.id));
    bob.goneWith(410);
    const del = { id: `${bob.id}#delete`, type: "Delete", actor: bob.id, object: bob.id };
    // Our cached copy of the key is still good: verified as is.
    assert.equal((await bob.send(sharedInbox(), del)).status, 202);
    assert.equal(await sc.ctx.store.follower(bob.id), undefined);

    // Followed again, then deleted while nothing of it is cached: the key fetch says 410.
    bob.goneWith(null);
    assert.equal((await bob.send(sharedInbox(), followOf(bob, sc))).status, 202);
    assert.ok(await sc.ctx.store.follower(bob.id));
    for (const { key } of await sc.ctx.store.kvList("fedify:")) await sc.ctx.store.kvDelete(key);
    bob.goneWith(410);
    const gone = { ...del, id: `${bob.id}#delete-2` };
    assert.equal((await bob.send(sharedInbox(), gone)).status, 202);
    assert.equal(await sc.ctx.store.follower(bob.id), undefined);
    // Any other activity whose key cannot be fetched stays refused.
    const follow = await bob.send(sharedInbox(), followOf(bob, sc));
    assert.equal(follow.status, 401);
    assert.equal(await sc.ctx.store.follower(bob.id), undefined);
  });
});

describe("ActivityPub follows held for approval", () => {
  let sc: ApSidecar;
  let bob: TestActor;
  before(async () => {
    sc = await startApSidecar({ manuallyApprovesFollowers: true });
    bob = await startTestActor();
  });
  after(async () => {
    await bob.close();
    await sc.close();
  });

  it("holds the Follow, then approve saves the follower and sends Accept", async () => {
    const follow = followOf(bob, sc);
    assert.equal((await bob.send(`${sc.url}ap/inbox`, follow)).status, 202);
    const rt = apRuntime(sc.ctx);
    assert.ok(rt);
    assert.equal(await sc.ctx.store.follower(bob.id), undefined);
    assert.deepEqual(
      (await rt.requests.list()).map((r) => r.follower.id),
      [bob.id],
    );
    assert.equal(bob.received.length, 0);
    assert.equal(await rt.requests.approve(bob.id), true);
    assert.ok(await sc.ctx.store.follower(bob.id));
    assert.deepEqual(await rt.requests.list(), []);
    const accept = bob.received.at(-1);
    assert.equal(accept?.body.type, "Accept");
    assert.equal((accept?.body.object as { id?: string })?.id, follow.id);
    assert.ok(accept?.verifiedKey);
    await assert.rejects(rt.requests.approve(bob.id), /no follow request from/);
    // The CLI's way in, through the running sidecar's signed command.
    const command = sc.ctx.commands.get("approve-follower");
    await assert.rejects(
      command?.(sc.ctx, { command: "approve-follower", actor: bob.id }) ??
        Promise.reject(new Error("no command")),
      (e: { status?: number }) => e.status === 404,
    );
  });

  it("reject sends Reject and stores no follower", async () => {
    await sc.ctx.store.removeFollower(bob.id);
    const follow = followOf(bob, sc);
    assert.equal((await bob.send(`${sc.url}ap/inbox`, follow)).status, 202);
    const rt = apRuntime(sc.ctx);
    assert.equal(await rt?.requests.reject(bob.id), true);
    assert.equal(await sc.ctx.store.follower(bob.id), undefined);
    const reject = bob.received.at(-1);
    assert.equal(reject?.body.type, "Reject");
    assert.equal((reject?.body.object as { id?: string })?.id, follow.id);
  });
});
