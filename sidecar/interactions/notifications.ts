/**
 * The owner's notifications: new followers, replies waiting, likes and boosts, newest first
 * on the status page. Kept 30 days (kv entries with a lifetime: the oldest go first when the
 * store's kv is full), so they need no cleaning.
 */
import { randomUUID } from "node:crypto";
import type { Store } from "../store/store.js";
import type { ActorSummary, Follower } from "../store/types.js";

const PREFIX = "notification:";
const KEEP_MS = 30 * 24 * 3600_000;

export type NotificationKind = "follower" | "reply" | "like" | "boost";

export interface Notification {
  kind: NotificationKind;
  actor: ActorSummary;
  /** The site post concerned (reply, like, boost). */
  postUri?: string;
  /** The reply's id. */
  replyId?: string;
  at: string;
}

export async function notify(store: Store, n: Omit<Notification, "at">): Promise<void> {
  const at = new Date().toISOString();
  // The time first: kvList returns keys in insertion order on every backend, the key sorts too.
  await store.kvSet(
    `${PREFIX}${at}:${randomUUID()}`,
    { ...n, at },
    { ttlMs: KEEP_MS, durable: false },
  );
}

export async function recentNotifications(store: Store, limit: number): Promise<Notification[]> {
  const all = (await store.kvList(PREFIX)).map((e) => e.value as Notification);
  return all.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}

/** "A new follower", whatever its protocol. */
export async function notifyFollower(store: Store, f: Follower): Promise<void> {
  const actor: ActorSummary =
    f.protocol === "activitypub"
      ? f.profile
      : {
          id: f.id,
          name: f.profile.fullname || f.profile.nickname,
          url: f.profile.profile,
          ...(f.profile.avatar ? { icon: f.profile.avatar } : {}),
        };
  await notify(store, { kind: "follower", actor });
}
