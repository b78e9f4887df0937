/**
 * The activities the site sends: Create, Update and Delete of a post, Update of the profile.
 * Each id comes from the outbound log's sequence number, so a retry of an entry reuses its id
 * (receivers dedupe by id) and every new entry, each Update included, gets a fresh one.
 */
import { Create, Delete, type Person, Update } from "@fedify/vocab";
import { activityKey, apUrl } from "../../contract/activitypub-paths.js";
import type { ManifestNotice } from "../../contract/manifest.js";
import {
  type ApOptions,
  actorId,
  type DeletedPost,
  instant,
  postObject,
  publicAudience,
  tombstone,
} from "./post-object.js";

export type ActivityKind = "create" | "update" | "delete" | "update-profile";

/** The id of the activity of outbound log entry `seq`. */
export function activityId(sidecarUrl: string, kind: ActivityKind, seq: number): URL {
  return new URL(apUrl(sidecarUrl, "activity", { id: activityKey(kind, seq) }));
}

/** What every activity carries: its id, the actor, a public audience, the entry's time. */
function envelope(
  opts: Pick<ApOptions, "sidecarUrl" | "nickname">,
  kind: ActivityKind,
  seq: number,
  at: string,
) {
  return {
    id: activityId(opts.sidecarUrl, kind, seq),
    actor: actorId(opts),
    ...publicAudience(opts),
    published: instant(at),
  };
}

/** A new post. `at` (ISO) is the log entry's time. */
export function createActivity(
  notice: ManifestNotice,
  opts: ApOptions,
  seq: number,
  at: string,
): Create {
  return new Create({ ...envelope(opts, "create", seq, at), object: postObject(notice, opts) });
}

/** An edited post; its object's `updated` is the notice's, or else `at` (the entry's time). */
export function updateActivity(
  notice: ManifestNotice,
  opts: ApOptions,
  seq: number,
  at: string,
): Update {
  return new Update({
    ...envelope(opts, "update", seq, at),
    object: postObject(notice, opts, notice.updated ?? at),
  });
}

/** A removed post, as a Tombstone with the post's object id. */
export function deleteActivity(post: DeletedPost, opts: ApOptions, seq: number): Delete {
  return new Delete({
    ...envelope(opts, "delete", seq, post.deletedAt),
    object: tombstone(post, opts),
  });
}

/** The profile changed: `person` is the actor document as the sidecar serves it. */
export function profileUpdateActivity(
  person: Person,
  opts: Pick<ApOptions, "sidecarUrl" | "nickname">,
  seq: number,
  at: string,
): Update {
  return new Update({ ...envelope(opts, "update-profile", seq, at), object: person });
}
