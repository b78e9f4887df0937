/** The inbox export contract: the sidecar's inbox.json schema, read by the plugin for the timeline. */
import { z } from "zod";

/**
 * The contract between the sidecar (which keeps the inbox: notices from the people the
 * author follows) and the plugin (which renders the timeline at build time). The sidecar
 * writes it as `inbox.json` beside its data file and serves it at INBOX_JSON_PATH; no
 * tokens, no secrets.
 */
export const INBOX_EXPORT_VERSION = 1;
export const INBOX_JSON_PATH = "/admin/inbox.json";
export const INBOX_EXPORT_FILE = "inbox.json";

/**
 * What a caller of `GET /admin/inbox.json` signs, as the "body" of the deploy hook's
 * scheme: `signHook(FEDERATION_HOOK_SECRET, INBOX_JSON_SIGNED_TEXT)` gives the
 * X-Federation-Timestamp and X-Federation-Signature headers to send.
 */
export const INBOX_JSON_SIGNED_TEXT = `GET ${INBOX_JSON_PATH}`;

const profileSchema = z.object({
  uri: z.string(),
  profile: z.string(),
  nickname: z.string(),
  license: z.string(),
  fullname: z.string(),
  homepage: z.string(),
  bio: z.string(),
  location: z.string(),
  avatar: z.string(),
});

/** A remote ActivityPub account, every field as their server gave it (bounded; text, not HTML). */
export const remoteActorSchema = z.object({
  /** Their actor id. */
  id: z.string(),
  name: z.string(),
  /** `user@instance`, when known. */
  handle: z.string().optional(),
  /** Their profile page. */
  url: z.string(),
  /** Their avatar's URL, when they have one. */
  icon: z.string().optional(),
});

/** An image, video or other file attached to an ActivityPub post. */
export const attachmentSchema = z.object({
  url: z.string(),
  mediaType: z.string(),
  /** Alt text (plain text), when the author wrote one. */
  name: z.string().optional(),
});

/**
 * What only an ActivityPub notice has. Its `content` is then HTML, sanitized by the sidecar
 * to Mastodon's allow-list (an OMB notice's is plain text).
 */
export const apNoticeSchema = z.object({
  /** The post's author (for a boost, the original author, who may not be followed). */
  author: remoteActorSchema,
  /** For a boost: the followed account that boosted it, and when. */
  boostedBy: remoteActorSchema.optional(),
  boostedAt: z.string().optional(),
  /** Content warning (plain text). */
  summary: z.string().optional(),
  published: z.string().optional(),
  updated: z.string().optional(),
  attachments: z.array(attachmentSchema),
});

export const inboxNoticeSchema = z.object({
  uri: z.string(),
  /** The author's id; for a boost, the booster's (the account followed). */
  listeneeUri: z.string(),
  content: z.string(),
  url: z.string(),
  license: z.string(),
  seealso: z
    .object({
      url: z.string(),
      disposition: z.string(),
      mediatype: z.string(),
      license: z.string(),
    })
    .optional(),
  receivedAt: z.string(),
  /** Present on ActivityPub notices only (older exports and OMB notices have none). */
  activitypub: apNoticeSchema.optional(),
});

/**
 * `inbox` is newest first; a notice's author is the `following` entry whose `uri` is its
 * `listeneeUri` (absent once the author was unfollowed: their notices stay).
 */
export const inboxExportSchema = z.object({
  version: z.literal(INBOX_EXPORT_VERSION),
  generated: z.string(),
  /**
   * Everyone followed, both protocols; an ActivityPub account's profile in OMB's fields
   * (`profile`: their page, `nickname`: their handle, `avatar`: their icon or "").
   * `pending`: an ActivityPub Follow not yet accepted.
   */
  following: z.array(
    z.object({
      uri: z.string(),
      profile: profileSchema,
      since: z.string(),
      protocol: z.enum(["omb", "activitypub"]).optional(),
      pending: z.boolean().optional(),
    }),
  ),
  inbox: z.array(inboxNoticeSchema),
});

export type InboxExport = z.infer<typeof inboxExportSchema>;
export type InboxExportNotice = z.infer<typeof inboxNoticeSchema>;
export type Attachment = z.infer<typeof attachmentSchema>;
export type ApNoticeFields = z.infer<typeof apNoticeSchema>;
