/** Reads the sidecar's inbox export at build time, from its file or its signed GET /admin/inbox.json. */
import {
  INBOX_EXPORT_FILE,
  INBOX_JSON_PATH,
  INBOX_JSON_SIGNED_TEXT,
  type InboxExport,
  inboxExportSchema,
} from "../../contract/inbox-export.js";
import {
  type ExportKind,
  ExportReadError,
  parseExport,
  type ReadExportOptions,
  readExport,
} from "../export-reader.js";
import type { InboxSource } from "./options.js";

/**
 * Reading the sidecar's inbox export at build time: from `inbox.json` beside its data file,
 * or from its signed `GET /admin/inbox.json` (plugin/export-reader.ts does the reading). The
 * plugin never imports the sidecar: the two share only the contract in contract/inbox-export.ts.
 */

/** The inbox could not be read or is not an inbox export; names the option to look at. */
export class InboxReadError extends ExportReadError {
  override name = "InboxReadError";
}

const INBOX: ExportKind<InboxExport> = {
  option: "inbox",
  subject: "the inbox",
  oneExport: "an inbox export",
  fileName: INBOX_EXPORT_FILE,
  endpointPath: INBOX_JSON_PATH,
  signedText: INBOX_JSON_SIGNED_TEXT,
  schema: inboxExportSchema,
  whenMissing:
    "so the timeline is empty. The sidecar writes it after the first follow or received notice",
  error: InboxReadError,
};

export type ReadInboxOptions = ReadExportOptions;

/**
 * The inbox, or null when the file does not exist yet (a warning says so, unless its folder
 * does not exist either: a first start, before any sidecar ran).
 */
export function readInbox(
  source: InboxSource,
  opts: ReadInboxOptions,
): Promise<InboxExport | null> {
  return readExport(INBOX, source, opts);
}

/** Parses and checks an export against the contract; errors name the option and source. */
export function parseInbox(text: string, option: string, where: string): InboxExport {
  return parseExport(INBOX, text, option, where);
}
