/**
 * Follows held for the owner (activitypub.manuallyApprovesFollowers) on the status page: each
 * request is listed with Approve and Reject buttons that need the login and the page's CSRF
 * token; Approve makes the follower and sends the Accept, Reject sends the Reject.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";
import { startTestActor, type TestActor } from "./helpers/ap-test-actor.js";
import { waitFor } from "./helpers/receiver.js";
import { Browser, formAction, hiddenField } from "./helpers/remote-listenee-browser.js";
import { logIn, passwordHash } from "./helpers/remote-listenee-flow.js";

describe("follow requests on the status page", () => {
  let sc: ApSidecar;
  const actors: TestActor[] = [];
  before(async () => {
    sc = await startApSidecar(
      { manuallyApprovesFollowers: true },
      { secrets: { ownerPasswordHash: await passwordHash() } },
    );
  });
  after(async () => {
    for (const a of actors) await a.close();
    await sc.close();
  });

  const ask = async (name: string) => {
    const actor = await startTestActor(name);
    actors.push(actor);
    const follow = {
      id: `${actor.id}/follows/1`,
      type: "Follow",
      actor: actor.id,
      object: `${sc.url}ap/users/ann`,
    };
    assert.equal((await actor.send(`${sc.url}ap/inbox`, follow)).status, 202);
    return { actor, follow };
  };

  it("lists each request with buttons; Approve accepts it, Reject refuses it", async () => {
    const carol = await ask("carol");
    const dave = await ask("dave");
    const browser = new Browser();
    await logIn(browser, `${sc.url}admin/login`);
    const page = await browser.get(`${sc.url}admin`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Follow requests waiting for your approval \(2\)/);
    const action = formAction(page.body, "/admin/followers/request");
    const csrf = hiddenField(page.body, "csrf");
    assert.ok(action && csrf, "a form with the CSRF token");

    const forged = await new Browser().post(action, {
      csrf,
      actor: carol.actor.id,
      answer: "approve",
    });
    assert.notEqual(forged.status, 303, "without the login nothing is answered");
    assert.equal(await sc.ctx.store.follower(carol.actor.id), undefined);

    const approved = await browser.post(action, { csrf, actor: carol.actor.id, answer: "approve" });
    assert.equal(approved.status, 303);
    assert.ok(await sc.ctx.store.follower(carol.actor.id), "carol follows now");
    await waitFor(
      () => carol.actor.received.some((r) => r.body.type === "Accept"),
      "carol's Accept",
    );

    const rejected = await browser.post(action, { csrf, actor: dave.actor.id, answer: "reject" });
    assert.equal(rejected.status, 303);
    assert.equal(await sc.ctx.store.follower(dave.actor.id), undefined);
    await waitFor(() => dave.actor.received.some((r) => r.body.type === "Reject"), "dave's Reject");

    const again = await browser.post(action, { csrf, actor: dave.actor.id, answer: "approve" });
    assert.equal(again.status, 404, "an answered request is gone");
    assert.doesNotMatch((await browser.get(`${sc.url}admin`)).body, /Follow requests waiting/);
  });
});
