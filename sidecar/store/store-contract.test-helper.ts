/** The Store contract: one suite every backend must pass (memory, JSON, and any later one). */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { fakeProfile, fakeSubscriber, ombDestination } from "../../test/helpers/fixtures.js";
import type { Store } from "./store.js";
import type {
  AccessToken,
  ApFollower,
  InboxNotice,
  ManifestNotice,
  OmbFollowed,
  OmbFollower,
  RequestToken,
} from "./types.js";

const notice = (n: number): ManifestNotice => ({
  uri: `http://site.example/posts/${n}/`,
  url: `http://site.example/posts/${n}/`,
  content: `post ${n}`,
  published: new Date(n * 1000).toISOString(),
  license: "http://creativecommons.org/licenses/by/3.0/",
});

const at = (f: OmbFollower) => ombDestination(f.credentials.postNoticeUrl);

const apFollower = (i: number, sharedInbox?: string): ApFollower => ({
  protocol: "activitypub",
  id: `https://social.example/users/u${i}`,
  profile: {
    id: `https://social.example/users/u${i}`,
    name: `U ${i}`,
    url: "https://social.example/@u",
  },
  credentials: {
    inbox: `https://social.example/users/u${i}/inbox`,
    ...(sharedInbox ? { sharedInbox } : {}),
    followId: `https://social.example/follows/${i}`,
  },
  since: new Date(0).toISOString(),
});

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

/** Runs the contract against stores made by `open` (each test gets a fresh, empty one). */
export function storeContract(backend: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${backend}`, () => {
    let store: Store | undefined;
    const fresh = async () => {
      store = await open();
      return store;
    };
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

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
      assert.equal(
        await s.removeFollower(first.id, { ifCredential: first.credentials.token }),
        true,
      );
    });

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

    it("records a sync in one step: entries in order, post records, the state", async () => {
      const s = await fresh();
      const seqs = await s.applySync({
        entries: [
          {
            entry: { kind: "notice", notice: notice(1) },
            post: { uri: notice(1).uri, version: "m2:a" },
          },
          {
            entry: {
              kind: "delete",
              uri: "http://site.example/old/",
              url: "http://site.example/old/",
              deletedAt: new Date(0).toISOString(),
            },
          },
        ],
        posts: [{ uri: "http://site.example/archived/", seq: 0 }],
        state: { initialized: true, lastSyncSource: "test" },
      });
      assert.deepEqual(seqs, [1, 2]);
      assert.equal(await s.headSeq(), 2);
      assert.deepEqual(
        (await s.outboundAfter(0, 10)).map((e) => [e.seq, e.kind]),
        [
          [1, "notice"],
          [2, "delete"],
        ],
      );
      assert.deepEqual(
        (await s.outboundAfter(1, 10)).map((e) => e.seq),
        [2],
      );
      const posts = await s.publishedPosts();
      assert.deepEqual(posts.get(notice(1).uri), { uri: notice(1).uri, version: "m2:a", seq: 1 });
      assert.equal(posts.get("http://site.example/archived/")?.seq, 0);
      assert.equal((await s.syncState()).lastSyncSource, "test");
      await s.saveSyncState({ initialized: true, lastSyncError: "boom" });
      assert.equal((await s.syncState()).lastSyncError, "boom");
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

    it("keeps failures newest first and an inbox post URI once", async () => {
      const s = await fresh();
      for (let i = 0; i < 3; i++) await s.recordFailure({ destination: "d", error: `e${i}` });
      assert.deepEqual(
        (await s.failures(2)).map((f) => f.error),
        ["e2", "e1"],
      );
      const n: InboxNotice = {
        protocol: "omb",
        uri: "http://remote.example/notice/1",
        listeneeUri: fakeProfile(1).uri,
        content: "hi",
        url: "",
        license: "",
        receivedAt: new Date().toISOString(),
      };
      assert.equal(await s.addInbox(n), true);
      assert.equal(await s.addInbox({ ...n, content: "changed" }), false);
      await s.addInbox({ ...n, uri: "http://remote.example/notice/2" });
      assert.deepEqual(
        (await s.inbox()).map((x) => [x.uri, x.content]),
        [
          ["http://remote.example/notice/2", "hi"],
          ["http://remote.example/notice/1", "hi"],
        ],
      );
      assert.equal((await s.inbox(1)).length, 1);
    });

    it("keeps one secret per name, also for callers that race", async () => {
      const s = await fresh();
      const [a, b] = await Promise.all([s.secret("cookie"), s.secret("cookie")]);
      assert.equal(a, b);
      assert.notEqual(await s.secret("csrf"), a);
      assert.ok(a.length >= 40);
    });

    it("compaction forgets delivered entries and expired nonces, and keeps the rest", async () => {
      const s = await fresh();
      await s.saveFollower(fakeSubscriber(1));
      await s.applySync({
        entries: [1, 2, 3].map((i) => ({ entry: { kind: "notice" as const, notice: notice(i) } })),
        posts: [],
        state: { initialized: true },
      });
      const d = await s.destination(at(fakeSubscriber(1)));
      assert.ok(d);
      await s.updateDestination({ ...d, cursor: 2 });
      await s.claimNonce("old", Date.now() - 1);
      await s.claimNonce("live", Date.now() + 60_000);
      await s.compact();
      assert.deepEqual(
        (await s.outboundAfter(0, 10)).map((e) => e.seq),
        [3],
      );
      assert.equal(await s.headSeq(), 3);
      assert.equal(await s.claimNonce("live", Date.now() + 60_000), false);
      assert.equal(await s.claimNonce("old", Date.now() + 60_000), true);
    });
  });
}
