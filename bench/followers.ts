// The fan-out benches' followers: saved in concurrent batches (the store group-commits
// them), and the OMB follower the loopback receivers (fanout-receiver.ts) answer for.
import type { Follower, Store } from "../sidecar/store/store.js";
import { fakeProfile, ombFollower } from "../test/helpers/fixtures.js";

const BATCH = 1000;

/** Saves followers `make(0)` … `make(count - 1)`, a batch at a time. */
export async function saveFollowers(
  store: Store,
  count: number,
  make: (i: number) => Follower,
): Promise<void> {
  for (let start = 0; start < count; start += BATCH) {
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      batch.push(store.saveFollower(make(i)));
    }
    await Promise.all(batch);
  }
}

/** OMB follower `i`: its postNotice URL `/r/<i>/postnotice` on receiver i % n, token t<i>, secret s<i>. */
export function receiverFollower(i: number, receiverUrls: string[]): Follower {
  const base = receiverUrls[i % receiverUrls.length] ?? "";
  const profile = fakeProfile(i, new URL(base).host);
  return ombFollower({
    uri: profile.uri,
    profile,
    postNoticeUrl: `${base}/r/${i}/postnotice`,
    updateProfileUrl: `${base}/r/${i}/updateprofile`,
    token: `t${i}`,
    secret: `s${i}`,
    subscribedAt: new Date().toISOString(),
  });
}
