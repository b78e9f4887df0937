import type { ManifestNotice } from "../../contract/manifest.js";
import type { OmbProfile } from "../../protocol/omb/profile.js";

/** A remote listener who follows the site (we are their OAuth consumer and push to them). */
export interface Subscriber {
  /** The listener's identifier URI: the LocalID from their XRDS. */
  uri: string;
  profile: OmbProfile;
  postNoticeUrl: string;
  updateProfileUrl: string;
  /** Access token and secret they issued us. */
  token: string;
  secret: string;
  subscribedAt: string;
}

/** A distinct postNotice URL: a remote service fans out to its own users, so one push each. */
export interface Destination {
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

/** One entry of the outbound log, delivered in order to every destination. */
export type OutboundEntry =
  | { seq: number; kind: "notice"; notice: ManifestNotice; addedAt: string }
  | { seq: number; kind: "profile"; profile: OmbProfile; addedAt: string };

export type NewOutboundEntry =
  | { kind: "notice"; notice: ManifestNotice }
  | { kind: "profile"; profile: OmbProfile };

/** A delivery that will not be retried: kept for the owner to see. */
export interface DeliveryFailure {
  id: string;
  destination: string;
  subscriber?: string;
  seq?: number;
  status?: number;
  error: string;
  at: string;
}

/** A remote author the site follows (we are their OAuth provider; they push to us). */
export interface Following {
  /** Their identifier URI (`omb_listenee`). */
  uri: string;
  profile: OmbProfile;
  /** The access token we issued them, and the consumer key it is bound to. */
  token: string;
  consumerKey: string;
  since: string;
}

export interface RequestToken {
  token: string;
  secret: string;
  consumerKey: string;
  createdAt: string;
  state: "issued" | "authorized" | "used";
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

/** A notice received from someone the site follows. */
export interface InboxNotice {
  uri: string;
  listeneeUri: string;
  content: string;
  url: string;
  license: string;
  seealso?: { url: string; disposition: string; mediatype: string; license: string };
  receivedAt: string;
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
  profile?: OmbProfile;
}

export type { ManifestNotice, OmbProfile };
