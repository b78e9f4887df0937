/** The records the Store keeps (schema 2): protocol-tagged followers, followed accounts, destinations. */
import type { ApNoticeFields } from "../../contract/inbox-export.js";
import type { ManifestNotice, SiteProfile } from "../../contract/manifest.js";
import type { OmbProfile } from "../../protocol/omb/profile.js";

/** The federation protocols the sidecar speaks; every follower and destination names one. */
export const PROTOCOLS = ["omb", "activitypub"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** A remote person as the owner sees them, whatever their protocol. */
export interface ActorSummary {
  /** ActivityPub actor id. */
  id: string;
  /** `user@instance`, when known. */
  handle?: string;
  name: string;
  /** Their profile page (HTML). */
  url: string;
  icon?: string;
}

/** Someone on an OMB service who follows the site: we are their OAuth consumer and push to them. */
export interface OmbFollower {
  protocol: "omb";
  /** The listener's identifier URI: the LocalID from their XRDS. */
  id: string;
  profile: OmbProfile;
  credentials: {
    postNoticeUrl: string;
    updateProfileUrl: string;
    /** Access token and secret they issued us. */
    token: string;
    secret: string;
  };
  since: string;
}

/** A fediverse account that follows the site's actor. */
export interface ApFollower {
  protocol: "activitypub";
  /** Their actor id. */
  id: string;
  profile: ActorSummary;
  credentials: {
    inbox: string;
    sharedInbox?: string;
    /** The id of their Follow activity: what Accept, Reject and Undo refer to. */
    followId: string;
  };
  since: string;
}

export type Follower = OmbFollower | ApFollower;

/** An OMB author the site follows: we are their OAuth provider, they push to us. */
export interface OmbFollowed {
  protocol: "omb";
  /** Their identifier URI (`omb_listenee`). */
  id: string;
  profile: OmbProfile;
  /** The access token we issued them, and the consumer key it is bound to. */
  credentials: { token: string; consumerKey: string };
  since: string;
}

/** A fediverse account the site follows. */
export interface ApFollowed {
  protocol: "activitypub";
  id: string;
  profile: ActorSummary;
  credentials: { inbox: string; sharedInbox?: string; followId: string; accepted: boolean };
  since: string;
}

export type Followed = OmbFollowed | ApFollowed;

/**
 * Where deliveries go, one cursor each: OMB, a distinct postNotice URL (a remote service fans
 * out to its own users, so one push each); ActivityPub, a shared inbox (or an inbox).
 */
export interface Destination {
  /** `destinationKey(protocol, url)`. */
  key: string;
  protocol: Protocol;
  url: string;
  /** Sequence number of the last outbound entry delivered (or given up on) here. */
  cursor: number;
  /** Consecutive failed attempts at the entry after the cursor. */
  attempts: number;
  /** ISO time before which no new attempt is made. */
  retryAt?: string;
  failingSince?: string;
  lastError?: string;
  /** Set once the destination failed for longer than the give-up horizon. */
  gaveUpAt?: string;
}

/** One entry of the outbound log, delivered in order to every destination that takes it. */
export type OutboundEntry = NewOutboundEntry & { seq: number; addedAt: string };

/**
 * What a sync appends: a new post, an edited one (its fields as they are now), a removed
 * one, or a changed profile. Each protocol's transport says which kinds it carries.
 */
export type NewOutboundEntry =
  | { kind: "notice"; notice: ManifestNotice }
  | { kind: "update"; notice: ManifestNotice }
  | { kind: "delete"; uri: string; url: string; deletedAt: string }
  | { kind: "profile"; profile: SiteProfile };

/** A post the log has seen: when it went out, which version, and whether it was removed. */
export interface PublishedPost {
  uri: string;
  /** The entry that announced it; 0 for posts recorded as already published (the baseline). */
  seq: number;
  /** `noticeVersion` of what was last sent or recorded; absent for schema-1 records. */
  version?: string;
  url?: string;
  removedAt?: string;
}

/** A delivery that will not be retried: kept for the owner to see. */
export interface DeliveryFailure {
  id: string;
  /** The destination's URL (postNotice URL, inbox). */
  destination: string;
  protocol?: Protocol;
  /** The follower it concerned, when one. */
  subscriber?: string;
  seq?: number;
  status?: number;
  error: string;
  at: string;
}

export interface RequestToken {
  token: string;
  secret: string;
  consumerKey: string;
  createdAt: string;
  state: "issued" | "authorized" | "used";
  /** The client address the request-token call came from (what the authorize page checks). */
  address?: string;
  /** That address as counted for limits (an IPv6 /56 is one source): live tokens per source are capped. */
  source?: string;
  /** The listenee shown on the authorize page, kept until the access token is issued. */
  listenee?: OmbProfile;
}

export interface AccessToken {
  token: string;
  secret: string;
  consumerKey: string;
  /** The one listenee this token may push for (libomb forgot this binding; OMB.md P5). */
  listeneeUri: string;
  createdAt: string;
}

/** A post received from someone the site follows. */
export interface InboxNotice {
  protocol: Protocol;
  uri: string;
  /** The author's id (OMB: `omb_listenee`). */
  listeneeUri: string;
  content: string;
  url: string;
  license: string;
  seealso?: { url: string; disposition: string; mediatype: string; license: string };
  receivedAt: string;
  /** ActivityPub only: author, boost, content warning, attachments (`content` is then sanitized HTML). */
  activitypub?: ApNoticeFields;
}

/**
 * A subscribe flow between the request token and the callback (the site as consumer).
 * Keyed by the request token; the browser that started it holds a signed cookie naming it.
 */
export interface PendingSubscription {
  requestToken: string;
  requestSecret: string;
  /** Random value also kept in the browser's signed cookie: binds the flow to that browser. */
  browserNonce: string;
  /** What discovery found: LocalID and endpoints. */
  listenerUri: string;
  profileUrl: string;
  endpoints: {
    request: string;
    authorize: string;
    access: string;
    postNotice: string;
    updateProfile: string;
  };
  createdAt: string;
}

export interface SyncState {
  /** False until the first manifest was read: that one's notices count as already published. */
  initialized: boolean;
  lastSyncAt?: string;
  lastSyncSource?: string;
  lastSyncError?: string;
  etag?: string;
  lastModified?: string;
  /** The profile last pushed (or recorded on the first sync). */
  profile?: SiteProfile;
}

/** Delivery outcomes of one UTC day, counted as they happen: the status page's chart. */
export interface DailyDeliveries {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  delivered: number;
  /** Failed attempts that will be retried. */
  retried: number;
  /** Entries refused for good, or that could not be signed: moved past. */
  refused: number;
  /** Destinations given up after the give-up horizon. */
  gaveUp: number;
}

/** What one send came to, as `DailyDeliveries` counts it. */
export type DeliveryOutcome = Exclude<keyof DailyDeliveries, "day">;

export type { ManifestNotice, OmbProfile, SiteProfile };
