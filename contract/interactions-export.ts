/**
 * The interactions export contract: what the fediverse did with the site's posts (replies
 * the owner approved, likes, boosts), written by the sidecar and rendered by the plugin on
 * each post page at build time. The sidecar writes it as `interactions.json` beside its
 * data file and serves it at INTERACTIONS_JSON_PATH (signed as the inbox export is). It
 * holds only what the owner allowed to be public: no pending or hidden reply, nothing from
 * a blocked actor or domain.
 */
import { z } from "zod";
import { remoteActorSchema } from "./inbox-export.js";

export const INTERACTIONS_EXPORT_VERSION = 1;
export const INTERACTIONS_JSON_PATH = "/admin/interactions.json";
export const INTERACTIONS_EXPORT_FILE = "interactions.json";

/** What a caller of `GET /admin/interactions.json` signs (see INBOX_JSON_SIGNED_TEXT). */
export const INTERACTIONS_JSON_SIGNED_TEXT = `GET ${INTERACTIONS_JSON_PATH}`;

export { remoteActorSchema };

export const replySchema = z.object({
  /** The reply's object id. */
  id: z.string(),
  /** Its page on the author's server (or its id). */
  url: z.string(),
  /** The id (or URL) it answers: the post's object id, or another reply's id in the thread. */
  inReplyTo: z.string(),
  author: remoteActorSchema,
  /** Sanitized HTML (Mastodon's allow-list): safe to insert as it is. */
  content: z.string(),
  /** Content warning (plain text), when the author gave one. */
  summary: z.string().optional(),
  published: z.string(),
  updated: z.string().optional(),
});

export const postInteractionsSchema = z.object({
  /** The post's manifest URI. */
  uri: z.string(),
  /** The post's page URL. */
  url: z.string(),
  /** The post's ActivityPub object id (what the buttons hand to the visitor's instance). */
  objectId: z.string(),
  /** Approved replies, oldest first; a thread is rebuilt from `inReplyTo`. */
  replies: z.array(replySchema),
  likes: z.number().int().nonnegative(),
  boosts: z.number().int().nonnegative(),
  /** Who liked and boosted, oldest first (at most the newest few hundred). */
  likedBy: z.array(remoteActorSchema),
  boostedBy: z.array(remoteActorSchema),
});

export const interactionsExportSchema = z.object({
  version: z.literal(INTERACTIONS_EXPORT_VERSION),
  generated: z.string(),
  /** One entry per post with at least one public interaction. */
  posts: z.array(postInteractionsSchema),
});

export type InteractionsExport = z.infer<typeof interactionsExportSchema>;
export type PostInteractions = z.infer<typeof postInteractionsSchema>;
export type ExportedReply = z.infer<typeof replySchema>;
export type RemoteActor = z.infer<typeof remoteActorSchema>;
