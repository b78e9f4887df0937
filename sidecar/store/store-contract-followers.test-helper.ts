/** Store contract, followers part: destinations, re-follows, removals, takeovers. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { apFollower, fakeSubscriber } from "../../test/helpers/fixtures.js";
import type { Store } from "./store.js";
import { at, notice } from "./store-contract-fixtures.test-helper.js";

/** The follower and destination tests, each on a store from `fresh`. */
export function followerContract(fresh: () => Promise<Store>): void {
  it("starts a new destination at the head of the log, so it never gets the backlog", async () => {
    const s = await fresh();
    await s.applySync({
      entries: [{ entry: { kind: "notice", notice: notice(1) } }],
      posts: [],
      state: { initialized: true },
    });
    assert.equal(await s.saveFollower(fakeSubscriber(7)), "added");
    assert.equal((await s.destination(at(fakeSubscriber(7))))?.cursor, 1);
    assert.equal(await s.saveFollower(fakeSubscriber(7)), "replaced");
  });

  it("keys destinations by protocol and URL, and counts followers by protocol", async () => {
    const s = await fresh();
    await s.saveFollower(fakeSubscriber(1));
    await s.saveFollower(apFollower(1, "https://social.example/inbox"));
    await s.saveFollower(apFollower(2, "https://social.example/inbox"));
    await s.saveFollower(apFollower(3));
    assert.deepEqual(await s.countFollowers(), { omb: 1, activitypub: 3 });
    const keys = (await s.destinations()).map((d) => d.key).sort();
    assert.deepEqual(keys, [
      "activitypub https://social.example/inbox",
      "activitypub https://social.example/users/u3/inbox",
      at(fakeSubscriber(1)),
    ]);
    const shared = await s.followersAt("activitypub https://social.example/inbox");
    assert.deepEqual(
      shared.map((f) => f.id),
      [apFollower(1).id, apFollower(2).id],
    );
    assert.equal((await s.followers("activitypub")).length, 3);
  });

  it("restarts a given-up destination at the head when someone follows there again", async () => {
    const s = await fresh();
    await s.saveFollower(fakeSubscriber(1));
    await s.applySync({
      entries: [{ entry: { kind: "notice", notice: notice(1) } }],
      posts: [],
      state: { initialized: true },
    });
    const d = await s.destination(at(fakeSubscriber(1)));
    assert.ok(d);
    assert.equal(
      await s.updateDestination({
        ...d,
        attempts: 9,
        gaveUpAt: new Date().toISOString(),
        lastError: "down",
      }),
      true,
    );
    const again = fakeSubscriber(1);
    again.credentials.token = "new";
    await s.saveFollower(again);
    assert.deepEqual(await s.destination(at(again)), {
      key: d.key,
      protocol: "omb",
      url: d.url,
      cursor: 1,
      attempts: 0,
    });
  });

  it("drops a destination with its last follower, records why, and moves a follower's destination", async () => {
    const s = await fresh();
    await s.saveFollower(fakeSubscriber(1, 2));
    await s.saveFollower(fakeSubscriber(3, 2));
    const key = at(fakeSubscriber(1, 2));
    assert.equal(
      await s.removeFollower(fakeSubscriber(1, 2).id, {
        failure: { destination: key, status: 403, error: "revoked" },
      }),
      true,
    );
    assert.ok(await s.destination(key), "another follower still receives there");
    await s.removeFollower(fakeSubscriber(3, 2).id);
    assert.equal(await s.destination(key), undefined);
    assert.equal((await s.failures())[0]?.status, 403);
    const moved = fakeSubscriber(5);
    await s.saveFollower(moved);
    const elsewhere = fakeSubscriber(5);
    elsewhere.credentials.postNoticeUrl = "http://listener.example/moved/postnotice";
    await s.saveFollower(elsewhere);
    assert.equal(await s.destination(at(moved)), undefined, "the old destination went with it");
    assert.ok(await s.destination(at(elsewhere)));
    assert.equal(await s.removeFollower("http://nobody.example/"), false);
  });

  it("refuses a takeover from another origin and removes only the credential it was given", async () => {
    const s = await fresh();
    const first = fakeSubscriber(1);
    await s.saveFollower(first);
    const impostor = fakeSubscriber(1);
    impostor.credentials.postNoticeUrl = "http://impostor.example/postnotice";
    assert.equal(await s.saveFollower(impostor, { sameOriginOnly: true }), "taken");
    const stored = await s.follower(first.id);
    assert.equal(
      stored?.protocol === "omb" ? stored.credentials.postNoticeUrl : "",
      first.credentials.postNoticeUrl,
    );
    assert.equal(await s.removeFollower(first.id, { ifCredential: "not-the-token" }), false);
    assert.equal(await s.removeFollower(first.id, { ifCredential: first.credentials.token }), true);
  });

  it("does not bring back a destination removed while its update was under way", async () => {
    const s = await fresh();
    await s.saveFollower(fakeSubscriber(1));
    const d = await s.destination(at(fakeSubscriber(1)));
    assert.ok(d);
    await s.removeFollower(fakeSubscriber(1).id);
    assert.equal(await s.updateDestination({ ...d, cursor: 5 }, { durable: false }), false);
    assert.equal(await s.destination(d.key), undefined);
  });
}
