/** Reads the sidecar's interactions export at build time, from its file or its signed GET /admin/interactions.json. */
import {
  INTERACTIONS_EXPORT_FILE,
  INTERACTIONS_JSON_PATH,
  INTERACTIONS_JSON_SIGNED_TEXT,
  type InteractionsExport,
  interactionsExportSchema,
} from "../../contract/interactions-export.js";
import {
  type ExportKind,
  ExportReadError,
  type ExportSource,
  type ReadExportOptions,
  readExport,
} from "../export-reader.js";

/** The interactions export could not be read or is not one; names the option to look at. */
export class InteractionsReadError extends ExportReadError {
  override name = "InteractionsReadError";
}

const INTERACTIONS: ExportKind<InteractionsExport> = {
  option: "interactions",
  subject: "the interactions export",
  oneExport: "an interactions export",
  fileName: INTERACTIONS_EXPORT_FILE,
  endpointPath: INTERACTIONS_JSON_PATH,
  signedText: INTERACTIONS_JSON_SIGNED_TEXT,
  schema: interactionsExportSchema,
  whenMissing:
    "so no replies, likes or boosts are shown. The sidecar writes it once a post has a public reply, like or boost",
  error: InteractionsReadError,
};

/** The export, or null when its file does not exist yet (see readExport). */
export function readInteractions(
  source: ExportSource,
  opts: ReadExportOptions,
): Promise<InteractionsExport | null> {
  return readExport(INTERACTIONS, source, opts);
}
