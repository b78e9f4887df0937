/** Refuses to start when the store's files would be served as part of the `--site` folder. */
import { readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "./config.js";
import { isInside } from "./web/site-static.js";

/** The data file, or its folder, is inside the served site: anyone could download the secrets. */
export class DataInSiteError extends ConfigError {
  override name = "DataInSiteError";
}

/**
 * The real path of `file`, resolving every symlink (dangling ones too): for a file that
 * does not exist yet, the real path of its nearest existing folder with the rest appended.
 */
export async function realPathOf(file: string): Promise<string> {
  const absolute = path.resolve(file);
  const rest: string[] = [];
  let at = absolute;
  for (let i = 0; i < 256; i++) {
    try {
      return path.join(await realpath(at), ...rest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      // A dangling symlink: opening it would create its target, so follow it.
      const link = await readlink(at).catch(() => null);
      if (link !== null) {
        at = path.resolve(path.dirname(at), link);
        continue;
      }
      const parent = path.dirname(at);
      if (parent === at) break;
      rest.unshift(path.basename(at));
      at = parent;
    }
  }
  return absolute;
}

/**
 * Throws DataInSiteError when `dataFile`, its journal or lock, or the folder they are in
 * (compaction's temp file and migration backups go there too) resolves inside `siteDir`,
 * symlinks followed: the store holds the cookie-signing key and OAuth token secrets.
 */
export async function checkDataOutsideSite(dataFile: string, siteDir: string): Promise<void> {
  if (dataFile === ":memory:") return;
  const site = await realPathOf(siteDir);
  const files: [string, string][] = [
    [dataFile, "data file"],
    [`${dataFile}.journal`, "journal"],
    [`${dataFile}.lock`, "lock"],
    [path.dirname(path.resolve(dataFile)), "folder"],
  ];
  for (const [file, what] of files) {
    const real = await realPathOf(file);
    if (!isInside(site, real)) continue;
    const shown = real === path.resolve(file) ? file : `${file} (really ${real})`;
    throw new DataInSiteError(
      `eleventy-federation: refusing to start: the store's ${what} ${shown} lies inside the served --site folder ${site}, ` +
        `so anyone could download it (it holds the cookie-signing key and token secrets). ` +
        `Set "dataFile" in the config to a path outside the site, e.g. /var/lib/eleventy-federation/store.json, ` +
        `and move ${path.basename(dataFile)} and its .journal there. If the site was published with them, treat those secrets as leaked.`,
    );
  }
}
