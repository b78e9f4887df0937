/** Store contract, grants part: pending subscriptions, nonces, request and access tokens. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { fakeProfile, fakeSubscriber } from "../../test/helpers/fixtures.js";
import type { Store } from "./store.js";
import type { AccessToken, OmbFollowed, RequestToken } from "./types.js";

const requestToken = (token: string): RequestToken => ({
  token,
  secret: `${token}-secret`,
  consumerKey: "http://remote.example/",
  createdAt: new Date().toISOString(),
  state: "issued",
});

const followedVia = (token: string): { access: AccessToken; followed: OmbFollowed } => ({
  access: {
    token,
    secret: `${token}-s`,
    consumerKey: "http://remote.example/",
    listeneeUri: fakeProfile(9, "remote.example").uri,
    createdAt: new Date().toISOString(),
  },
  followed: {
    protocol: "omb",
    id: fakeProfile(9, "remote.example").uri,
    profile: fakeProfile(9, "remote.example"),
    credentials: { token, consumerKey: "http://remote.example/" },
    since: new Date().toISOString(),
  },
});

/** The subscribe-flow, nonce and token tests, each on a store from `fresh`. */
export function grantContract(fresh: () => Promise<Store>): void {
  it("finishes a subscribe flow in one step: the follower saved, the pending flow gone", async () => {
    const s = await fresh();
    const pending = {
      requestToken: "rt",
      requestSecret: "rs",
      browserNonce: "bn",
      listenerUri: fakeSubscriber(1).id,
      profileUrl: fakeSubscriber(1).profile.profile,
      endpoints: {
        request: "r",
        authorize: "a",
        access: "x",
        postNotice: "p",
        updateProfile: "u",
      },
      createdAt: new Date().toISOString(),
    };
    await s.savePendingSubscription(pending);
    assert.deepEqual(await s.pendingSubscription("rt"), pending);
    await s.saveFollower(fakeSubscriber(1), { pending: "rt" });
    assert.equal(await s.pendingSubscription("rt"), undefined);
    await s.savePendingSubscription({
      ...pending,
      createdAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
    });
    assert.equal(await s.pendingSubscription("rt"), undefined, "an expired flow is not returned");
  });

  it("claims a nonce once until it expires, also when two claims race", async () => {
    const s = await fresh();
    assert.equal(await s.claimNonce("k\n1\nabc", Date.now() + 60_000), true);
    assert.equal(await s.claimNonce("k\n1\nabc", Date.now() + 60_000), false);
    assert.equal(await s.claimNonce("k\n2\nold", Date.now() - 1), true);
    assert.equal(
      await s.claimNonce("k\n2\nold", Date.now() + 60_000),
      true,
      "an expired record does not block",
    );
    const race = await Promise.all(
      [1, 2, 3].map(() => s.claimNonce("race", Date.now() + 60_000, { durable: false })),
    );
    assert.deepEqual(race.filter(Boolean).length, 1);
  });

  it("moves request tokens issued → authorized → used, each step once", async () => {
    const s = await fresh();
    await s.saveRequestToken(requestToken("rt1"));
    const listenee = fakeProfile(9, "remote.example");
    const [a, b] = await Promise.all([
      s.authorizeRequestToken("rt1", listenee),
      s.authorizeRequestToken("rt1", listenee),
    ]);
    assert.equal([a, b].filter(Boolean).length, 1, "one authorization wins");
    assert.equal((await s.requestToken("rt1"))?.state, "authorized");
    const one = followedVia("acc1");
    const two = followedVia("acc2");
    const results = await Promise.all([
      s.exchangeRequestToken("rt1", one.access, one.followed),
      s.exchangeRequestToken("rt1", two.access, two.followed),
    ]);
    assert.deepEqual([...results].sort(), [false, true], "one exchange wins");
    assert.equal((await s.requestToken("rt1"))?.state, "used");
    const winner = results[0] ? one : two;
    assert.ok(await s.accessToken(winner.access.token));
    // a re-follow replaces the access token: the old one stops working
    await s.saveRequestToken({ ...requestToken("rt2"), state: "authorized", listenee });
    const three = followedVia("acc3");
    assert.equal(await s.exchangeRequestToken("rt2", three.access, three.followed), true);
    assert.equal(await s.accessToken(winner.access.token), undefined);
    assert.ok(await s.accessToken("acc3"));
    assert.equal(await s.authorizeRequestToken("missing", listenee), undefined);
    assert.equal(await s.exchangeRequestToken("missing", three.access, three.followed), false);
    await s.deleteRequestToken("rt2");
    assert.equal(await s.requestToken("rt2"), undefined);
  });

  it("updates a followed account only while it is the same grant; removing it revokes its token", async () => {
    const s = await fresh();
    await s.saveRequestToken({ ...requestToken("rt"), state: "authorized" });
    const { access, followed } = followedVia("acc");
    await s.exchangeRequestToken("rt", access, followed);
    const renamed = { ...followed, profile: { ...followed.profile, fullname: "New" } };
    assert.equal(await s.saveFollowed(renamed, { ifCredential: "other" }), false);
    assert.equal(await s.saveFollowed(renamed, { ifCredential: "acc" }), true);
    const now = await s.followedAccount(followed.id);
    assert.equal(now?.protocol === "omb" ? now.profile.fullname : "", "New");
    assert.equal((await s.followed()).length, 1);
    assert.equal(await s.removeFollowed(followed.id), true);
    assert.equal(await s.accessToken("acc"), undefined);
    assert.equal(await s.removeFollowed(followed.id), false);
    assert.equal(
      await s.saveFollowed(renamed, { ifCredential: "acc" }),
      false,
      "not undone after removal",
    );
  });
}
