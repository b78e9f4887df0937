/** Which site post an id or URL names: its object id, or its page URL, or a stored reply in its thread. */
import { apUrl } from "../../contract/activitypub-paths.js";
import type { Context } from "../context.js";
import type { Interactions } from "../interactions/interactions.js";
import type { SitePosts } from "./posts.js";

export interface PostRefs {
  /** The manifest URI of the site post `ref` names (object id or page URL), if on the site now. */
  post(ref: string): Promise<string | undefined>;
  /** As `post`, or the post whose thread holds the stored reply `ref`. */
  thread(ref: string): Promise<string | undefined>;
}

export function postRefs(
  ctx: Pick<Context, "config" | "store">,
  posts: SitePosts,
  interactions: Interactions,
): PostRefs {
  const objectPrefix = apUrl(ctx.config.publicUrl, "post", { id: "" });
  const refs: PostRefs = {
    async post(ref) {
      if (ref.startsWith(objectPrefix)) {
        const found = await posts.byKey(decodeURIComponent(ref.slice(objectPrefix.length)));
        return found?.kind === "post" ? found.record.uri : undefined;
      }
      if (!ref.startsWith(new URL(ctx.config.siteUrl).origin)) return undefined;
      for (const p of (await ctx.store.publishedPosts()).values()) {
        if (!p.removedAt && (p.url === ref || p.uri === ref)) return p.uri;
      }
      return undefined;
    },
    async thread(ref) {
      return (await refs.post(ref)) ?? (await interactions.reply(ref))?.postUri;
    },
  };
  return refs;
}
