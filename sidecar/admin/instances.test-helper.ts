/**
 * A store for the followers-by-instance tests (the summary, the status page's section, the
 * CLI): OMB followers on a.example (2, caught up, an entry refused), b.example (1, retrying:
 * HTTP 500) and gone.example (1, given up); ActivityPub followers on masto.example (2, one
 * shared inbox, behind) and pleroma.example (2, an inbox each, sending).
 */
import { fakeProfile, ombFollower } from "../../test/helpers/fixtures.js";
import { destinationKey, type Store } from "../store/store.js";
import type { ApFollower } from "../store/types.js";

export const HOUR_MS = 3600_000;
/** What b.example answered: long, with markup and a line break. */
export const B_ERROR = `HTTP 500: <h1>oops</h1>\n<script>alert(1)</script>${"x".repeat(600)}`;

export const KEYS = {
  a: destinationKey("omb", "https://a.example/postnotice"),
  b: destinationKey("omb", "https://b.example/postnotice"),
  gone: destinationKey("omb", "https://gone.example/postnotice"),
  masto: destinationKey("activitypub", "https://masto.example/inbox"),
};

export function omb(i: number, host: string, nickname = `u${i}`) {
  const profile = { ...fakeProfile(i, host), nickname };
  return ombFollower({
    uri: profile.uri,
    profile,
    postNoticeUrl: `https://${host}/postnotice`,
    updateProfileUrl: `https://${host}/updateprofile`,
    token: `token-${i}`,
    secret: `secret-${i}`,
    subscribedAt: new Date(Date.UTC(2024, 0, i)).toISOString(),
  });
}

/** A fediverse follower; `shared`: their server has a shared inbox. */
export function apFollower(name: string, host = "masto.example", shared = true): ApFollower {
  const id = `https://${host}/users/${name}`;
  return {
    protocol: "activitypub",
    id,
    profile: {
      id,
      handle: `${name}@${host}`,
      name: name.toUpperCase(),
      url: `https://${host}/@${name}`,
    },
    credentials: {
      inbox: `${id}/inbox`,
      ...(shared ? { sharedInbox: `https://${host}/inbox` } : {}),
      followId: `https://${host}/follows/${name}`,
    },
    since: new Date(Date.UTC(2024, 1, name.length)).toISOString(),
  };
}

const notice = (n: number) => ({
  uri: `https://site.example/p/${n}/`,
  url: `https://site.example/p/${n}/`,
  content: `post ${n}`,
  title: `Post ${n}`,
  published: new Date(n * 1000).toISOString(),
  license: "http://creativecommons.org/licenses/by/3.0/",
});

/** Fills `s` as the file's comment says; `now` is when b.example failed. */
export async function seedInstances(s: Store, now = Date.now()): Promise<void> {
  for (const f of [
    omb(1, "a.example"),
    omb(2, "a.example"),
    omb(3, "b.example"),
    omb(4, "gone.example"),
    apFollower("zoe"),
    apFollower("max"),
    apFollower("ann", "pleroma.example", false),
    apFollower("bob", "pleroma.example", false),
  ]) {
    await s.saveFollower(f);
  }
  await s.applySync({
    entries: [1, 2, 3].map((n) => ({ entry: { kind: "notice" as const, notice: notice(n) } })),
    posts: [],
    state: { initialized: true },
  });
  const get = async (key: string) => {
    const d = await s.destination(key);
    if (!d) throw new Error(`no destination ${key}`);
    return d;
  };
  await s.updateDestination(
    { ...(await get(KEYS.a)), cursor: 3 },
    {
      count: "refused",
      failure: {
        destination: "https://a.example/postnotice",
        protocol: "omb",
        seq: 2,
        status: 400,
        error: "refused: <b>bad notice</b>",
      },
    },
  );
  await s.updateDestination(
    {
      ...(await get(KEYS.b)),
      cursor: 1,
      attempts: 3,
      failingSince: new Date(now - 2 * HOUR_MS).toISOString(),
      retryAt: new Date(now + HOUR_MS).toISOString(),
      lastError: B_ERROR,
    },
    { count: "retried" },
  );
  await s.updateDestination(
    {
      ...(await get(KEYS.gone)),
      cursor: 0,
      attempts: 9,
      failingSince: new Date(now - 40 * 24 * HOUR_MS).toISOString(),
      gaveUpAt: new Date(now - HOUR_MS).toISOString(),
      lastError: "connect ECONNREFUSED",
    },
    {
      count: "gaveUp",
      failure: {
        destination: "https://gone.example/postnotice",
        protocol: "omb",
        seq: 1,
        error: "gave up after 9 attempts over 40 days; last error: connect ECONNREFUSED",
      },
    },
  );
  await s.updateDestination({ ...(await get(KEYS.masto)), cursor: 1 });
}
