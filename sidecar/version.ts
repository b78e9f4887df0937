/** The package's own name and version, read once from its package.json. */
import { readFileSync } from "node:fs";

export const PACKAGE_NAME = "eleventy-federation";

/**
 * Our version from package.json, found by walking up from this file (the source tree and
 * the built `dist/` sit at different depths below it).
 */
function ownVersion(): string {
  let dir = new URL(".", import.meta.url);
  for (let up = 0; up < 6; up++, dir = new URL("..", dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8"));
      if (pkg?.name === PACKAGE_NAME && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no package.json at this level: go up
    }
  }
  return "0.0.0";
}

export const VERSION = ownVersion();
