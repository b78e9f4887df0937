/** NodeInfo 2.1: what software this is, the one user, how many posts the site has. */
import type { Federation } from "@fedify/fedify";
import type { Context } from "../context.js";
import { PACKAGE_NAME, VERSION } from "../version.js";
import type { ApUrls } from "./urls.js";

const NAME = PACKAGE_NAME;

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
