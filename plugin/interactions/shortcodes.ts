/** Adds the `federationInteractions` data, the replies, counts and buttons shortcodes, and the buttons' script. */

import { apUrl, postObjectKey } from "../../contract/activitypub-paths.js";
import type { PostInteractions } from "../../contract/interactions-export.js";
import { sidecarEndpointUrl } from "../../contract/public-paths.js";
import { actorUrl, apDiscovery } from "../activitypub-discovery.js";
import type { EleventyConfig } from "../eleventy-types.js";
import { addSharedGlobalData, type ConfigWithGlobalData } from "../global-data.js";
import type { ResolvedOptions } from "../options.js";
import { addTemplateFormat } from "../templates.js";
import { BUTTONS_SCRIPT, BUTTONS_SCRIPT_PATH } from "./buttons-script.js";
import { INTERACTIONS_DATA, type InteractionsSource, interactionsOf, pageUrlOf } from "./data.js";
import { type ButtonsTarget, renderButtons, renderCounts, renderReplies } from "./html.js";

/** The template format of the script's virtual template (see TEMPLATE_EXTENSION). */
export const INTERACTIONS_EXTENSION = "eleventy-federation-interactions";

/** What Eleventy gives a shortcode as `this`: the page, and in Nunjucks its data. */
interface ShortcodeContext {
  page?: { url?: string | false };
  ctx?: Record<string, unknown>;
}

/** The page a shortcode is about: its argument (site path or absolute URL), else the current page. */
function pageOf(context: ShortcodeContext, arg: unknown, siteUrl: string): string | null {
  // Nunjucks passes "" when a shortcode is called without arguments.
  if (typeof arg === "string" && arg !== "") return pageUrlOf(arg, siteUrl);
  const url = context.page?.url;
  return typeof url === "string" && url !== "" ? pageUrlOf(url, siteUrl) : null;
}

/**
 * The shortcodes `federationReplies`, `federationCounts` and `federationButtons` (each takes
 * an optional page URL, the current page by default), the `federationInteractions` global
 * data, and the buttons' script at BUTTONS_SCRIPT_PATH. The export is read on eleventy.before
 * (awaited by Eleventy), once per build. Without the `interactions` option nothing is read and
 * every shortcode gives "".
 */
export function addInteractions(
  eleventyConfig: EleventyConfig,
  options: ResolvedOptions,
  source: InteractionsSource,
): void {
  const config = eleventyConfig as ConfigWithGlobalData;
  addSharedGlobalData(eleventyConfig, INTERACTIONS_DATA, () => source.load());
  const { interactions, siteUrl } = options;
  const postOf = (context: ShortcodeContext, arg: unknown): PostInteractions | undefined => {
    const page = pageOf(context, arg, siteUrl);
    return interactions && page ? interactionsOf(source.current, page, siteUrl) : undefined;
  };
  eleventyConfig.addShortcode("federationReplies", function (this: ShortcodeContext, arg) {
    return renderReplies(postOf(this, arg));
  });
  eleventyConfig.addShortcode("federationCounts", function (this: ShortcodeContext, arg) {
    return renderCounts(postOf(this, arg));
  });
  // The buttons need the site's actor: without ActivityPub there is nothing to interact with.
  const actor = options.activitypub ? actorUrl(apDiscovery(options)) : null;
  eleventyConfig.addShortcode("federationButtons", function (this: ShortcodeContext, arg) {
    const page = pageOf(this, arg, siteUrl);
    if (!interactions || !actor || !page || this.ctx?.federate === false) return "";
    return renderButtons(buttonsTarget(options, actor, page, postOf(this, arg)));
  });
  if (!interactions) return;

  eleventyConfig.on("eleventy.before", async () => {
    source.reset();
    await source.load();
  });
  // With --serve, a new reply or like (the sidecar rewrites the file) rebuilds the pages.
  if (interactions.kind === "file") config.addWatchTarget?.(interactions.path);
  const path = addTemplateFormat(eleventyConfig, INTERACTIONS_EXTENSION, {
    script: () => BUTTONS_SCRIPT,
  });
  eleventyConfig.addTemplate(path("script"), "script", {
    layout: false,
    eleventyExcludeFromCollections: true,
    permalink: BUTTONS_SCRIPT_PATH,
  });
}

/**
 * The buttons of the post at `page`: its object id from the export, or (before anyone
 * interacted with it) as the sidecar names it, from its URI, which is its page URL (posts.ts).
 */
export function buttonsTarget(
  options: ResolvedOptions,
  actor: string,
  page: string,
  post: PostInteractions | undefined,
): ButtonsTarget {
  const { siteUrl, sidecarUrl } = options;
  const given = post?.objectId;
  const objectId =
    given && /^https?:\/\//i.test(given)
      ? given
      : apUrl(sidecarUrl, "post", { id: postObjectKey(post?.uri ?? page) });
  return {
    objectId,
    actorUrl: actor,
    subscribeUrl: sidecarEndpointUrl(sidecarUrl, "subscribe"),
    nickname: options.profile.nickname,
    // Under the site's own path, when it lives below its host's root.
    scriptSrc: new URL(siteUrl).pathname.replace(/\/+$/, "") + BUTTONS_SCRIPT_PATH,
  };
}
