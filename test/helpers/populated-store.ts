/**
 * Fills a store, through the Store API, with at least one record of every kind a store dump
 * carries, and one expired nonce and kv entry that a dump must leave out.
 */
import { destinationOf, type Store } from "../../sidecar/store/store.js";
import { notice } from "../../sidecar/store/store-contract-fixtures.test-helper.js";
import type { OmbFollowed, RequestToken } from "../../sidecar/store/types.js";
import { apFollower, fakeProfile, fakeSubscriber, recordSync } from "./fixtures.js";

export const ACTOR_KEY = "activitypub:actor-key:rsa";
export const LIVE_NONCE = "omb\nlive-nonce";
export const EXPIRED_NONCE = "omb\nexpired-nonce";
export const EXPIRED_KV = "cache:expired";
export const SECRET_NAME = "cookie";

const requestToken = (token: string, source?: string): RequestToken => ({
  token,
  secret: `${token}-secret`,
  consumerKey: "http://remote.example/",
  createdAt: new Date().toISOString(),
  state: "issued",
  ...(source ? { source, address: source } : {}),
});

const remoteAuthor = fakeProfile(9, "remote.example");

/** Fills `s`; answers the destination keys it advanced, so a test can read them back. */
export async function populate(s: Store): Promise<{ advanced: string; retrying: string }> {
  // Followers of both protocols, interleaved, several at one destination each.
  const shared = "https://social.example/inbox";
  const followers = [
    fakeSubscriber(1, 2),
    apFollower(1, shared),
    fakeSubscriber(2, 2),
    apFollower(2, shared),
    fakeSubscriber(3, 2),
    apFollower(3),
  ];
  for (const f of followers) await s.saveFollower(f);
  // A replaced follower keeps its place.
  await s.saveFollower({ ...fakeSubscriber(1, 2), since: new Date(5000).toISOString() });

  await recordSync(
    s,
    [
      { kind: "notice", notice: notice(1) },
      { kind: "notice", notice: notice(2) },
      {
        kind: "delete",
        uri: notice(0).uri,
        url: notice(0).url,
        deletedAt: new Date(0).toISOString(),
      },
    ],
    ["http://site.example/posts/old/"],
    { initialized: true, lastSyncAt: new Date().toISOString(), etag: '"v1"' },
  );
  const advanced = destinationOf(fakeSubscriber(1, 2)).key;
  const retrying = destinationOf(apFollower(1, shared)).key;
  const a = await s.destination(advanced);
  const r = await s.destination(retrying);
  if (!a || !r) throw new Error("populate: the destinations were not created");
  await s.updateDestination({ ...a, cursor: 2 }, { count: "delivered" });
  await s.updateDestination(
    {
      ...r,
      cursor: 1,
      attempts: 2,
      retryAt: new Date(Date.now() + 60_000).toISOString(),
      failingSince: new Date().toISOString(),
      lastError: "HTTP 503",
    },
    { count: "retried" },
  );
  await s.recordFailure({
    destination: r.url,
    protocol: "activitypub",
    subscriber: apFollower(1).id,
    seq: 1,
    status: 410,
    error: "gone",
  });

  // Request tokens in all three states; the used one made an access token and a followed account.
  await s.saveRequestToken(requestToken("rt-issued", "203.0.113.7"), { maxPerSource: 5 });
  await s.saveRequestToken(requestToken("rt-authorized"));
  await s.authorizeRequestToken("rt-authorized", remoteAuthor);
  await s.saveRequestToken(requestToken("rt-used"));
  await s.authorizeRequestToken("rt-used", remoteAuthor);
  const followed: OmbFollowed = {
    protocol: "omb",
    id: remoteAuthor.uri,
    profile: remoteAuthor,
    credentials: { token: "at-1", consumerKey: "http://remote.example/" },
    since: new Date().toISOString(),
  };
  await s.exchangeRequestToken(
    "rt-used",
    {
      token: "at-1",
      secret: "at-1-secret",
      consumerKey: "http://remote.example/",
      listeneeUri: remoteAuthor.uri,
      createdAt: new Date().toISOString(),
    },
    followed,
  );
  const apAuthor = apFollower(7, "https://other.example/inbox");
  await s.saveFollowed({
    ...apAuthor,
    credentials: { ...apAuthor.credentials, accepted: true },
  });
  await s.savePendingSubscription({
    requestToken: "rt-pending",
    requestSecret: "rs",
    browserNonce: "bn",
    listenerUri: "http://remote.example/user/4",
    profileUrl: "http://remote.example/u4",
    endpoints: {
      request: "http://remote.example/request",
      authorize: "http://remote.example/authorize",
      access: "http://remote.example/access",
      postNotice: "http://remote.example/postnotice",
      updateProfile: "http://remote.example/updateprofile",
    },
    createdAt: new Date().toISOString(),
  });

  await s.claimNonce(LIVE_NONCE, Date.now() + 10 * 60_000);
  await s.claimNonce(EXPIRED_NONCE, Date.now() - 1000);

  for (const n of [1, 2])
    await s.addInbox({
      protocol: n === 1 ? "omb" : "activitypub",
      uri: `http://remote.example/notice/${n}`,
      listeneeUri: remoteAuthor.uri,
      content: `remote post ${n}`,
      url: `http://remote.example/notice/${n}`,
      license: "http://creativecommons.org/licenses/by/3.0/",
      receivedAt: new Date(n * 1000).toISOString(),
    });

  await s.kvSet(ACTOR_KEY, {
    publicKey: { kty: "RSA", n: "abc", e: "AQAB" },
    privateKey: { d: "xyz" },
  });
  await s.kvSet("fedify:remote-document:x", { doc: [1, 2, 3] }, { ttlMs: 10 * 60_000 });
  await s.kvSet(EXPIRED_KV, "gone", { ttlMs: 0 });
  await s.secret(SECRET_NAME);
  return { advanced, retrying };
}
