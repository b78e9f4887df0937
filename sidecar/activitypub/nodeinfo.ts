/** NodeInfo 2.1: what software this is, the one user, how many posts the site has. */
import { readFileSync } from "node:fs";
import type { Federation } from "@fedify/fedify";
import type { Context } from "../context.js";
import type { ApUrls } from "./urls.js";

const NAME = "eleventy-federation";

/**
 * Our version from package.json, found by walking up from this file (the source tree and
 * the built `dist/` sit at different depths below it).
 */
function ownVersion(): string {
  let dir = new URL(".", import.meta.url);
  for (let up = 0; up < 6; up++, dir = new URL("..", dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8"));
      if (pkg?.name === NAME && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no package.json at this level: go up
    }
  }
  return "0.0.0";
}

const VERSION = ownVersion();

export function registerNodeInfo(federation: Federation<void>, ctx: Context, urls: ApUrls): void {
  federation.setNodeInfoDispatcher(urls.nodeInfo, async () => {
    let localPosts = 0;
    for (const post of (await ctx.store.publishedPosts()).values())
      if (!post.removedAt) localPosts++;
    return {
      software: { name: NAME, version: VERSION },
      // OMB is not a NodeInfo protocol value ("ostatus" is OStatus, which OMB is not).
      protocols: ["activitypub"],
      openRegistrations: false,
      usage: {
        users: { total: 1, activeMonth: 1, activeHalfyear: 1 },
        localPosts,
        localComments: 0,
      },
    };
  });
}
