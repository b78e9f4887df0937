import type { Manifest } from "../../contract/manifest.js";
import type { ProfileField } from "../../protocol/omb/constants.js";
import { changedProfileFields, type OmbProfile } from "../../protocol/omb/profile.js";
import { validateNoticeParams, validateProfile } from "../../protocol/omb/validate.js";
import { noticeParams } from "../omb/transport/entry-params.js";
import type { NewOutboundEntry, SyncState } from "../store/types.js";

export interface SyncPlan {
  /** What to append to the outbound log, oldest first (a profile change before the notices). */
  entries: NewOutboundEntry[];
  /** Notice URIs to mark published without sending them (the first sync only). */
  archived: string[];
  /** The profile to remember as the last one pushed (or recorded, on the first sync). */
  profile: OmbProfile | undefined;
  /** Fields that changed since the last push (empty: no updateProfile). */
  profileChanged: (ProfileField | "uri")[];
  /** New notices left out because an OMB receiver would refuse them; tried again next sync. */
  rejected: { uri: string; reason: string }[];
  /** The profile breaks an OMB rule: not pushed (and not remembered) until it is fixed. */
  profileError?: string;
  firstSync: boolean;
}

/**
 * The diff between a published manifest and what the log already holds, by notice URI.
 * The first time a site is seen, its notices are recorded as already published and its
 * profile as already pushed: subscribers are never flooded with the archive.
 */
export function planSync(
  manifest: Manifest,
  state: SyncState,
  isPublished: (uri: string) => boolean,
  siteUrl: string = manifest.profile.uri,
): SyncPlan {
  // As OMB sends it: `uri` is the site URL (see PreparedEntries).
  const profile: OmbProfile = { ...manifest.profile, uri: siteUrl };
  const fresh = newNoticesOldestFirst(manifest, isPublished);
  if (!state.initialized) {
    return {
      entries: [],
      archived: fresh.map((n) => n.uri),
      profile,
      profileChanged: [],
      rejected: [],
      firstSync: true,
    };
  }
  const plan: SyncPlan = {
    entries: [],
    archived: [],
    profile: state.profile,
    profileChanged: [],
    rejected: [],
    firstSync: false,
  };
  const changed = state.profile ? changedProfileFields(state.profile, profile) : [];
  if (changed.length > 0 || !state.profile) {
    try {
      validateProfile("listenee", profile, { requireLicense: true });
      plan.profile = profile;
      if (changed.length > 0) {
        plan.profileChanged = changed;
        plan.entries.push({ kind: "profile", profile });
      }
    } catch (e) {
      plan.profileError = (e as Error).message;
    }
  }
  for (const n of fresh) {
    try {
      validateNoticeParams(noticeParams(profile.uri, n));
      plan.entries.push({ kind: "notice", notice: n });
    } catch (e) {
      plan.rejected.push({ uri: n.uri, reason: (e as Error).message });
    }
  }
  return plan;
}

/** Unpublished notices, each URI once, oldest first (the manifest lists newest first). */
function newNoticesOldestFirst(manifest: Manifest, isPublished: (uri: string) => boolean) {
  const seen = new Set<string>();
  const fresh: { n: Manifest["notices"][number]; order: number }[] = [];
  manifest.notices.forEach((n, i) => {
    if (seen.has(n.uri) || isPublished(n.uri)) return;
    seen.add(n.uri);
    fresh.push({ n, order: -i });
  });
  fresh.sort((a, b) => Date.parse(a.n.published) - Date.parse(b.n.published) || a.order - b.order);
  return fresh.map((f) => f.n);
}
