/** Reads the sidecar's inbox export at build time, from its file or its signed GET /admin/inbox.json. */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { signHook } from "../../contract/hook-signature.js";
import {
  INBOX_JSON_SIGNED_TEXT,
  type InboxExport,
  inboxExportSchema,
} from "../../contract/inbox-export.js";
import type { InboxSource } from "./options.js";

/**
 * Reading the sidecar's inbox export at build time: from `inbox.json` beside its data file,
 * or from its signed `GET /admin/inbox.json`. The plugin never imports the sidecar: the two
 * share only the contract in contract/inbox-export.ts.
 */

/** The inbox could not be read or is not an inbox export; names the option to look at. */
export class InboxReadError extends Error {
  override name = "InboxReadError";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`eleventy-federation: option "${option}": ${message}`);
  }
}

export interface ReadInboxOptions {
  warn: (message: string) => void;
  /** Default process.env (where the hook secret is read). */
  env?: NodeJS.ProcessEnv;
  /** Default the global fetch. */
  fetchImpl?: typeof fetch;
  /** Whole request; default 30 s. */
  timeoutMs?: number;
}

/**
 * The inbox, or null when the file does not exist yet (a warning says so, unless its folder
 * does not exist either: a first start, before any sidecar ran).
 */
export async function readInbox(
  source: InboxSource,
  opts: ReadInboxOptions,
): Promise<InboxExport | null> {
  return source.kind === "file" ? readInboxFile(source.path, opts) : fetchInbox(source, opts);
}

async function isFolder(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function readInboxFile(file: string, opts: ReadInboxOptions): Promise<InboxExport | null> {
  const full = path.resolve(file);
  let text: string;
  try {
    text = await readFile(full, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      // Its folder missing too: no sidecar has run with this data folder yet (a first
      // start builds before the sidecar runs), so there is nothing to warn about.
      if (!(await isFolder(path.dirname(full)))) return null;
      opts.warn(
        `eleventy-federation: option "inbox.file": ${full} does not exist yet, so the timeline is empty. ` +
          "The sidecar writes it after the first follow or received notice; check the path if it should be there.",
      );
      return null;
    }
    throw new InboxReadError("inbox.file", `cannot read ${full} (${code ?? String(e)}).`);
  }
  return parseInbox(text, "inbox.file", full);
}

async function fetchInbox(
  source: Extract<InboxSource, { kind: "url" }>,
  opts: ReadInboxOptions,
): Promise<InboxExport> {
  const secret = (opts.env ?? process.env)[source.secretEnv];
  if (!secret) {
    throw new InboxReadError(
      "inbox.secretEnv",
      `the environment variable ${source.secretEnv} is empty, so the inbox at ${source.url} cannot be signed for. ` +
        "Set it to the sidecar's FEDERATION_HOOK_SECRET.",
    );
  }
  let res: Response;
  let text: string;
  try {
    res = await (opts.fetchImpl ?? fetch)(source.url, {
      headers: { accept: "application/json", ...signHook(secret, INBOX_JSON_SIGNED_TEXT) },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
    text = await res.text();
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new InboxReadError(
      "inbox.url",
      `cannot reach ${source.url} (${cause}). Check that the sidecar runs and the URL is right.`,
    );
  }
  if (!res.ok) {
    const advice: Record<number, string> = {
      401: " Check that the build and the sidecar share the same hook secret and that both clocks are right.",
      404: " Check the URL: the sidecar serves it at <sidecarUrl>/admin/inbox.json.",
      503: " Set FEDERATION_HOOK_SECRET in the sidecar's environment.",
    };
    throw new InboxReadError(
      "inbox.url",
      `${source.url} answered HTTP ${res.status}: ${text.slice(0, 300).trim()}.${advice[res.status] ?? ""}`,
    );
  }
  return parseInbox(text, "inbox.url", source.url);
}

/** Parses and checks an export against the contract; errors name the option and source. */
export function parseInbox(text: string, option: string, where: string): InboxExport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InboxReadError(option, `${where} is not JSON (${(e as Error).message}).`);
  }
  const result = inboxExportSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue?.path.join(".") || "(top)";
    throw new InboxReadError(
      option,
      `${where} is not an inbox export of this version: ${at}: ${issue?.message ?? "invalid"}. ` +
        "Check that it is the sidecar's inbox.json and that the sidecar and the plugin are the same release.",
    );
  }
  return result.data;
}
