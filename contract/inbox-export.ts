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

export const inboxNoticeSchema = z.object({
  uri: z.string(),
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
});

/**
 * `inbox` is newest first; a notice's author is the `following` entry whose `uri` is its
 * `listeneeUri` (absent once the author was unfollowed: their notices stay).
 */
export const inboxExportSchema = z.object({
  version: z.literal(INBOX_EXPORT_VERSION),
  generated: z.string(),
  following: z.array(z.object({ uri: z.string(), profile: profileSchema, since: z.string() })),
  inbox: z.array(inboxNoticeSchema),
});

export type InboxExport = z.infer<typeof inboxExportSchema>;
export type InboxExportNotice = z.infer<typeof inboxNoticeSchema>;
