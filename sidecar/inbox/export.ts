/** The inbox export (`inbox.json`, `GET /admin/inbox.json`): what the plugin's timeline renders. */
import { rename, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  INBOX_EXPORT_FILE,
  INBOX_EXPORT_VERSION,
  type InboxExport,
} from "../../contract/inbox-export.js";
import type { Config } from "../config.js";
import type { Store } from "../store/store.js";
import type { Followed } from "../store/types.js";

export {
  INBOX_EXPORT_VERSION,
  INBOX_JSON_PATH,
  INBOX_JSON_SIGNED_TEXT,
  type InboxExport,
} from "../../contract/inbox-export.js";

/** A followed account as the export lists it: an ActivityPub one in OMB's profile fields. */
function followingEntry(f: Followed): InboxExport["following"][number] {
  if (f.protocol === "omb")
    return { uri: f.id, profile: f.profile, since: f.since, protocol: "omb" };
  const p = f.profile;
  return {
    uri: f.id,
    profile: {
      uri: f.id,
      profile: p.url,
      nickname: p.handle ?? p.name,
      license: "",
      fullname: p.name,
      homepage: p.url,
      bio: "",
      location: "",
      avatar: p.icon ?? "",
    },
    since: f.since,
    protocol: "activitypub",
    ...(f.credentials.accepted ? {} : { pending: true }),
  };
}

/** What the plugin's timeline reads: the accounts followed and what they sent, newest first. */
export async function inboxExport(
  store: Store,
  limit = Number.POSITIVE_INFINITY,
): Promise<InboxExport> {
  return {
    version: INBOX_EXPORT_VERSION,
    generated: new Date().toISOString(),
    following: (await store.followed())
      .sort((a, b) => a.since.localeCompare(b.since))
      .map(followingEntry),
    inbox: (await store.inbox(limit)).map(({ protocol: _protocol, ...n }) => n),
  };
}

/**
 * `inbox.json` beside the data file: where a build on the same machine reads the inbox;
 * null for an in-memory store (there is no folder, and nothing a build could read later).
 */
export function inboxExportFile(config: Pick<Config, "dataFile">): string | null {
  if (config.dataFile === ":memory:") return null;
  return path.join(path.dirname(config.dataFile), INBOX_EXPORT_FILE);
}

/**
 * Writes an export atomically (a temporary file renamed over the old one), so a build
 * reading it concurrently sees the old or the new file, never half of one.
 */
export async function writeExportFile(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 1)}\n`, "utf8");
  await rename(tmp, file);
}

export async function writeInboxExport(store: Store, file: string): Promise<void> {
  await writeExportFile(file, await inboxExport(store));
}
