/** A missing manifest file, explained: where the built one is when the site is built, else build it. */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.js";

/** Where a built site's manifest is, below its output folder. */
const MANIFEST_IN_SITE = path.join("federation", "manifest.json");

/** Manifests of built sites near the configured path: the likely meant one first. */
function builtManifests(config: Pick<Config, "manifest" | "baseDir">): string[] {
  const configured = config.manifest ?? "";
  const dirs = new Set<string>();
  // The configured path's folders (…/_site/federation, …/_site, …) and the usual output folder.
  for (let d = path.dirname(configured); d !== path.dirname(d); d = path.dirname(d)) {
    dirs.add(d);
    if (d === config.baseDir) break;
  }
  dirs.add(path.join(config.baseDir, "_site"));
  return [...dirs]
    .map((d) => path.join(d, MANIFEST_IN_SITE))
    .filter((f) => f !== configured && existsSync(f));
}

/**
 * `message` (a sync error) with a better fix when it is about the configured manifest file
 * not being there: the manifest of a built site nearby if there is one (then building is not
 * the fix), else the folder it should be in. Any other message comes back as it is.
 */
export function explainManifestError(
  message: string,
  config: Pick<Config, "manifest" | "baseDir">,
  configFile: string,
): string {
  const file = config.manifest;
  if (!file || /^https?:\/\//i.test(file)) return message;
  if (!message.includes(`manifest file ${file} (ENOENT)`)) return message;
  const head = `eleventy-federation: the manifest file ${file} does not exist`;
  const found = builtManifests(config)[0];
  if (found) {
    return `${head}, but the built site has one at ${found}. Set "manifest" in ${configFile} to it (relative paths start from the config's folder).`;
  }
  return `${head}. Build the site (it writes ${MANIFEST_IN_SITE} in its output folder), or fix "manifest" in ${configFile}.`;
}
