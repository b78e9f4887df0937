/** Made-up OMB profiles and followers for tests. */
import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";
import type { OmbProfile } from "../../protocol/omb/profile.js";
import { destinationKey, type Store } from "../../sidecar/store/store.js";
import type {
  ApFollower,
  Follower,
  NewOutboundEntry,
  OmbFollower,
  SyncState,
} from "../../sidecar/store/types.js";

export function fakeProfile(i: number, host = "listener.example"): OmbProfile {
  return {
    uri: `http://${host}/user/${i}`,
    profile: `http://${host}/u${i}`,
    nickname: `u${i}`,
    license: DEFAULT_LICENSE,
    fullname: `User ${i}`,
    homepage: "",
    bio: "",
    location: "",
    avatar: "",
  };
}

/** Subscriber `i`, at postNotice URL number `i % destinations`. */
export function fakeSubscriber(i: number, destinations = 1_000_000): OmbFollower {
  const profile = fakeProfile(i);
  return ombFollower({
    uri: profile.uri,
    profile,
    postNoticeUrl: `http://listener.example/${i % destinations}/postnotice`,
    updateProfileUrl: `http://listener.example/${i % destinations}/updateprofile`,
    token: `tok${i}`,
    secret: `sec${i}`,
    subscribedAt: new Date(0).toISOString(),
  });
}

/** An OMB follower from the flat fields tests think in. */
export function ombFollower(s: {
  uri: string;
  profile: OmbProfile;
  postNoticeUrl: string;
  updateProfileUrl: string;
  token: string;
  secret: string;
  subscribedAt?: string;
}): OmbFollower {
  return {
    protocol: "omb",
    id: s.uri,
    profile: s.profile,
    credentials: {
      postNoticeUrl: s.postNoticeUrl,
      updateProfileUrl: s.updateProfileUrl,
      token: s.token,
      secret: s.secret,
    },
    since: s.subscribedAt ?? new Date(0).toISOString(),
  };
}

/** The key of the OMB destination at a postNotice URL. */
export function ombDestination(postNoticeUrl: string): string {
  return destinationKey("omb", postNoticeUrl);
}

/**
 * `store.applySync` in the shape the tests were written in: entries to append (each notice
 * recorded as published with it), URIs to record as already published, the new state.
 */
export function recordSync(
  store: Store,
  entries: NewOutboundEntry[],
  archived: string[],
  state: SyncState,
): Promise<number[]> {
  return store.applySync({
    entries: entries.map((entry) =>
      entry.kind === "notice"
        ? { entry, post: { uri: entry.notice.uri, url: entry.notice.url } }
        : { entry },
    ),
    posts: archived.map((uri) => ({ uri, seq: 0 })),
    state,
  });
}

/** An OMB follower as the flat record tests read (the schema-1 subscriber's fields). */
export function flatSubscriber(f: Follower) {
  if (f.protocol !== "omb") throw new Error(`${f.id} is not an OMB follower`);
  return { uri: f.id, profile: f.profile, ...f.credentials, subscribedAt: f.since };
}

/** Every OMB follower of a store, flat. */
export async function subscribersOf(store: Store) {
  return (await store.followers("omb")).map(flatSubscriber);
}

/** ActivityPub follower `i` at social.example, at its shared inbox when one is given. */
export function apFollower(i: number, sharedInbox?: string): ApFollower {
  const id = `https://social.example/users/u${i}`;
  return {
    protocol: "activitypub",
    id,
    profile: {
      id,
      name: `U ${i}`,
      url: `https://social.example/@u${i}`,
      handle: `u${i}@social.example`,
    },
    credentials: {
      inbox: `${id}/inbox`,
      ...(sharedInbox ? { sharedInbox } : {}),
      followId: `https://social.example/follows/${i}`,
    },
    since: new Date(i * 1000).toISOString(),
  };
}
