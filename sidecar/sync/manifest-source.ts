/** Reads and validates the published manifest from a URL (conditional GET) or a file path. */
import { readFile, stat } from "node:fs/promises";
import {
  MANIFEST_PATH,
  type Manifest,
  ManifestError,
  manifestRunMode,
  parseManifest,
} from "../../contract/manifest.js";
import type { Context } from "../context.js";

export interface ManifestRead {
  manifest: Manifest;
  etag?: string;
  lastModified?: string;
}

export class ManifestSourceError extends Error {
  override name = "ManifestSourceError";
}

/**
 * The manifest was written by `eleventy --serve` or `--watch`: such a run builds drafts
 * (the starter blog drops them in builds only), and OMB cannot take a notice back.
 */
export class ManifestRunModeError extends ManifestSourceError {
  override name = "ManifestRunModeError";
}

/** Throws ManifestRunModeError unless `manifest` came from a build (no `runMode`, or "build"). */
export function checkBuiltManifest(manifest: Manifest, source: string): void {
  const mode = manifestRunMode(manifest);
  if (mode === "build") return;
  throw new ManifestRunModeError(
    `eleventy-federation: refused the manifest ${source}: it was written by \`eleventy --${mode}\` (runMode "${mode}"), which may include drafts, so nothing in it was synced or sent. ` +
      "Run a production build (npx @11ty/eleventy) and deploy that; the next sync reads it.",
  );
}

/**
 * Reads the published manifest named by the config's `manifest` key: a URL (conditional
 * GET with the validators of the last read) or a file path. "not-modified" when the
 * server says so or the file is unchanged.
 */
export async function readManifest(
  ctx: Pick<Context, "config" | "siteHttp">,
  previous: { etag?: string; lastModified?: string } = {},
): Promise<ManifestRead | "not-modified"> {
  const source = ctx.config.manifest;
  if (!source) {
    throw new ManifestSourceError(
      `eleventy-federation: no "manifest" in the config. Set it to the published ${MANIFEST_PATH} URL or the built file's path.`,
    );
  }
  let text: string;
  let validators: { etag?: string; lastModified?: string } = {};
  if (/^https?:\/\//i.test(source)) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (previous.etag) headers["if-none-match"] = previous.etag;
    if (previous.lastModified) headers["if-modified-since"] = previous.lastModified;
    let res: Awaited<ReturnType<Context["siteHttp"]["get"]>>;
    try {
      res = await ctx.siteHttp.get(source, headers);
    } catch (e) {
      throw new ManifestSourceError(
        `eleventy-federation: cannot fetch the manifest ${source}: ${(e as Error).message}`,
      );
    }
    if (res.status === 304) return "not-modified";
    if (res.status !== 200) {
      throw new ManifestSourceError(
        `eleventy-federation: the manifest ${source} answered HTTP ${res.status}. Check that the site is deployed and the URL is right.`,
      );
    }
    text = res.body;
    validators = { etag: res.headers.etag, lastModified: res.headers["last-modified"] };
  } else {
    try {
      const s = await stat(source, { bigint: true });
      // A file's validator is its mtime to the nanosecond plus its size: a rebuild within the
      // same second as the last read must not look unchanged.
      const version = `file:${s.mtimeNs}:${s.size}`;
      if (previous.etag === version) return "not-modified";
      text = await readFile(source, "utf8");
      validators = { etag: version };
    } catch (e) {
      throw new ManifestSourceError(
        `eleventy-federation: cannot read the manifest file ${source} (${(e as NodeJS.ErrnoException).code ?? e}). Build the site first.`,
      );
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(
      `eleventy-federation: the manifest ${source} is not JSON: ${(e as Error).message}`,
    );
  }
  const read: ManifestRead = { manifest: parseManifest(json, source) };
  if (validators.etag) read.etag = validators.etag;
  if (validators.lastModified) read.lastModified = validators.lastModified;
  return read;
}
