/** Reads one of the sidecar's exports (inbox.json, interactions.json) at build time: from its file or its signed GET. */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { DEFAULT_HOOK_SECRET_ENV } from "../contract/hook-client.js";
import { signHook } from "../contract/hook-signature.js";

/**
 * The sidecar writes each export as a file beside its data file and serves it at a GET
 * endpoint signed like the deploy hook. A build on the sidecar's machine reads the file; a
 * build elsewhere asks the endpoint. The plugin never imports the sidecar: the two share
 * only the export's contract (contract/*-export.ts).
 */

/** Where the build reads an export from: the file beside the data file, or the signed endpoint. */
export type ExportSource =
  | { kind: "file"; path: string }
  | { kind: "url"; url: string; secretEnv: string };

/** An export could not be read or is not what its contract says; names the option to look at. */
export class ExportReadError extends Error {
  override name = "ExportReadError";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`eleventy-federation: option "${option}": ${message}`);
  }
}

/** One kind of export: the option that names its source, its contract, and words for messages. */
export interface ExportKind<T> {
  /** The plugin option, e.g. "inbox"; messages name its fields ("inbox.file", "inbox.url", "inbox.secretEnv"). */
  option: string;
  /** The export as a message names it: "the inbox". */
  subject: string;
  /** One export of this kind, with its article: "an inbox export". */
  oneExport: string;
  /** Its file's name beside the sidecar's data file: "inbox.json". */
  fileName: string;
  /** Its path on the sidecar: "/admin/inbox.json". */
  endpointPath: string;
  /** What a caller of the endpoint signs (the "body" of the hook scheme). */
  signedText: string;
  schema: z.ZodType<T>;
  /**
   * Said after "<file> does not exist yet, " when the file is missing: what the build does
   * without it and when the sidecar writes it.
   */
  whenMissing: string;
  /** The error thrown, so that a caller can tell which export failed. */
  error: new (
    option: string,
    message: string,
  ) => ExportReadError;
}

export interface ReadExportOptions {
  warn: (message: string) => void;
  /** Default process.env (where the hook secret is read). */
  env?: NodeJS.ProcessEnv;
  /** Default the global fetch. */
  fetchImpl?: typeof fetch;
  /** Whole request; default 30 s. */
  timeoutMs?: number;
}

/** The export option as the schema gives it: `{ file }` or `{ url: true | "<url>", secretEnv? }`. */
export interface ExportSourceInput {
  file?: string | undefined;
  url?: boolean | string | undefined;
  secretEnv?: string | undefined;
}

/** The parsed option as a source: `url: true` is `<sidecarUrl><endpointPath>`; null = none. */
export function resolveExportSource(
  input: ExportSourceInput | null | undefined,
  sidecarUrl: string,
  endpointPath: string,
): ExportSource | null {
  if (input?.file !== undefined) return { kind: "file", path: input.file };
  if (!input?.url) return null;
  return {
    kind: "url",
    url: typeof input.url === "string" ? input.url : sidecarUrl.replace(/\/+$/, "") + endpointPath,
    secretEnv: input.secretEnv ?? DEFAULT_HOOK_SECRET_ENV,
  };
}

/**
 * The export, or null when its file does not exist yet (a warning says so, unless its folder
 * does not exist either: a first start, before any sidecar ran).
 */
export async function readExport<T>(
  kind: ExportKind<T>,
  source: ExportSource,
  opts: ReadExportOptions,
): Promise<T | null> {
  return source.kind === "file"
    ? readExportFile(kind, source.path, opts)
    : fetchExport(kind, source, opts);
}

async function isFolder(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function readExportFile<T>(
  kind: ExportKind<T>,
  file: string,
  opts: ReadExportOptions,
): Promise<T | null> {
  const option = `${kind.option}.file`;
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
        `eleventy-federation: option "${option}": ${full} does not exist yet, ${kind.whenMissing}; ` +
          "check the path if it should be there.",
      );
      return null;
    }
    throw new kind.error(option, `cannot read ${full} (${code ?? String(e)}).`);
  }
  return parseExport(kind, text, option, full);
}

async function fetchExport<T>(
  kind: ExportKind<T>,
  source: Extract<ExportSource, { kind: "url" }>,
  opts: ReadExportOptions,
): Promise<T> {
  const option = `${kind.option}.url`;
  const secret = (opts.env ?? process.env)[source.secretEnv];
  if (!secret) {
    throw new kind.error(
      `${kind.option}.secretEnv`,
      `the environment variable ${source.secretEnv} is empty, so ${kind.subject} at ${source.url} cannot be signed for. ` +
        "Set it to the sidecar's FEDERATION_HOOK_SECRET.",
    );
  }
  let res: Response;
  let text: string;
  try {
    res = await (opts.fetchImpl ?? fetch)(source.url, {
      headers: { accept: "application/json", ...signHook(secret, kind.signedText) },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
    text = await res.text();
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new kind.error(
      option,
      `cannot reach ${source.url} (${cause}). Check that the sidecar runs and the URL is right.`,
    );
  }
  if (!res.ok) {
    const advice: Record<number, string> = {
      401: " Check that the build and the sidecar share the same hook secret and that both clocks are right.",
      404: ` Check the URL: the sidecar serves it at <sidecarUrl>${kind.endpointPath}.`,
      503: " Set FEDERATION_HOOK_SECRET in the sidecar's environment.",
    };
    throw new kind.error(
      option,
      `${source.url} answered HTTP ${res.status}: ${text.slice(0, 300).trim()}.${advice[res.status] ?? ""}`,
    );
  }
  return parseExport(kind, text, option, source.url);
}

/** Parses and checks an export against its contract; errors name the option and the source. */
export function parseExport<T>(
  kind: ExportKind<T>,
  text: string,
  option: string,
  where: string,
): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new kind.error(option, `${where} is not JSON (${(e as Error).message}).`);
  }
  const result = kind.schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue?.path.join(".") || "(top)";
    throw new kind.error(
      option,
      `${where} is not ${kind.oneExport} of this version: ${at}: ${issue?.message ?? "invalid"}. ` +
        `Check that it is the sidecar's ${kind.fileName} and that the sidecar and the plugin are the same release.`,
    );
  }
  return result.data;
}
