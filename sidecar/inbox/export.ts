import { rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { OmbProfile } from "../../protocol/profile.js";
import type { Config } from "../config.js";
import type { Store } from "../store/store.js";
import type { InboxNotice } from "../store/types.js";

/** The sidecar path serving the export as JSON to a build elsewhere. */
export const INBOX_JSON_PATH = "/admin/inbox.json";

/**
 * What a caller of `GET /admin/inbox.json` signs, as the "body" of the deploy hook's
 * scheme: `signHook(FEDERATION_HOOK_SECRET, "GET /admin/inbox.json")` gives the
 * X-Federation-Timestamp and X-Federation-Signature headers to send.
 */
export const INBOX_JSON_SIGNED_TEXT = `GET ${INBOX_JSON_PATH}`;

/** Version of the inbox export's shape (`inbox.json` and `GET /admin/inbox.json`). */
export const INBOX_EXPORT_VERSION = 1;

/**
 * What a build needs for the timeline and the following list: no tokens, no secrets.
 * `inbox` is newest first; a notice's author is the `following` entry with its
 * `listeneeUri` (absent once the author was unfollowed: their notices stay).
 */
export interface InboxExport {
  version: typeof INBOX_EXPORT_VERSION;
  generated: string;
  following: { uri: string; profile: OmbProfile; since: string }[];
  inbox: InboxNotice[];
}

export function inboxExport(store: Store, limit = Number.POSITIVE_INFINITY): InboxExport {
  return {
    version: INBOX_EXPORT_VERSION,
    generated: new Date().toISOString(),
    following: store
      .following()
      .sort((a, b) => a.since.localeCompare(b.since))
      .map(({ uri, profile, since }) => ({ uri, profile, since })),
    inbox: store.inbox(limit),
  };
}

/** `inbox.json` beside the data file: where a build on the same machine reads the inbox. */
export function inboxExportFile(config: Pick<Config, "dataFile">): string {
  return path.join(path.dirname(config.dataFile), "inbox.json");
}

/**
 * Writes the export atomically (a temporary file renamed over the old one), so a build
 * reading it concurrently sees the old or the new file, never half of one.
 */
export async function writeInboxExport(store: Store, file: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(inboxExport(store), null, 1)}\n`, "utf8");
  await rename(tmp, file);
}
