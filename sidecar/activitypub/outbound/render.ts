/**
 * An outbound log entry as the activity JSON the transport sends: the mapping of
 * protocol/activitypub (Create, Update, Delete with a Tombstone, Update(Person)), compacted
 * against the preloaded JSON-LD contexts (nothing is fetched).
 */

import type { Activity } from "@fedify/vocab";
import {
  createActivity,
  deleteActivity,
  profileUpdateActivity,
  updateActivity,
} from "../../../protocol/activitypub/activities.js";
import { actorId } from "../../../protocol/activitypub/post-object.js";
import type { OutboundEntry } from "../../store/types.js";
import type { WingDeps } from "../../wing.js";
import { actorKeyPair } from "../actor-key.js";
import { guardedDocumentLoader } from "../document-loader.js";
import { actorKeys, sitePerson } from "../person.js";
import type { RenderActivity } from "./transport.js";

export function activityRenderer(deps: WingDeps): RenderActivity {
  const contextLoader = guardedDocumentLoader(deps.http);
  return async (entry, nickname) => {
    const activity = await entryActivity(deps, entry, nickname);
    return JSON.stringify(await activity.toJsonLd({ format: "compact", contextLoader }));
  };
}

async function entryActivity(
  deps: WingDeps,
  entry: OutboundEntry,
  nickname: string,
): Promise<Activity> {
  const { config } = deps;
  const opts = {
    sidecarUrl: config.publicUrl,
    nickname,
    objectType: config.activitypub.objectType,
  };
  switch (entry.kind) {
    case "notice":
      return createActivity(entry.notice, opts, entry.seq, entry.addedAt);
    case "update":
      return updateActivity(entry.notice, opts, entry.seq, entry.addedAt);
    case "delete":
      return deleteActivity(entry, opts, entry.seq);
    case "profile": {
      const { publicKey } = await actorKeyPair(deps.store);
      const person = sitePerson({
        config,
        nickname,
        profile: entry.profile,
        keys: [actorKeys(actorId(opts), publicKey)],
      });
      return profileUpdateActivity(person, opts, entry.seq, entry.addedAt);
    }
  }
}
