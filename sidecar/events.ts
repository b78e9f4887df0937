/** The running sidecar's events, typed in one place: who emits what, and who listens. */
import { EventEmitter } from "node:events";
import type { Manifest } from "../contract/manifest.js";
import type { StoredReply } from "./interactions/records.js";
import type { InboxNotice } from "./store/types.js";

export interface SidecarEventMap {
  /** The sync appended entries to the outbound log: wakes the delivery worker. */
  outbound: [];
  /** A sync read and recorded this built manifest: the posts the sidecar serves as objects. */
  manifest: [manifest: Manifest];
  /** A post arrived from someone the site follows: the inbox export is rewritten. */
  inbox: [notice: InboxNotice];
  /** The accounts the site follows changed (followed, unfollowed, a new profile). */
  following: [id: string];
  /** What the post pages show of replies, likes and boosts changed: the export is rewritten. */
  interactions: [];
  /** A new reply waits for the owner's approval: the owner is notified. */
  "reply-waiting": [reply: StoredReply];
}

export type SidecarEvents = EventEmitter<SidecarEventMap>;

export function createEvents(): SidecarEvents {
  const events = new EventEmitter<SidecarEventMap>();
  events.setMaxListeners(50);
  return events;
}
