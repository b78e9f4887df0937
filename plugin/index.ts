/** The Eleventy plugin: outputs, timeline, interactions, discovery tags (Yadis, ActivityPub), shortcodes and deploy hook; the package's exports. */
import { sidecarEndpointUrl } from "../contract/public-paths.js";
import {
  activityPubHeadTags,
  addActivityPubOutputs,
  apDiscovery,
  injectActivityPubHead,
} from "./activitypub-discovery.js";
import type { BuildEvent, EleventyConfig } from "./eleventy-types.js";
import { renderHCard } from "./hcard.js";
import { notifyDeployHook } from "./hook.js";
import { InteractionsSource } from "./interactions/data.js";
import { addInteractions } from "./interactions/shortcodes.js";
import { resolveOptions } from "./options.js";
import { absoluteUrl, PostIndex } from "./posts.js";
import { ShortLinkPages } from "./short-link-pages.js";
import { renderSubscribeForm } from "./subscribe-form.js";
import { addOutputs, XRDS_PATH } from "./templates.js";
import { addTimeline, TimelineSource } from "./timeline/pages.js";
import { missingAvatarWarning } from "./widgets-avatar.js";
import { addWidgetStylesheet } from "./widgets-stylesheet.js";
import { injectYadisHead, yadisHeadTags } from "./yadis-head.js";

/**
 * Side effects (anything beyond templates, such as calling the sidecar's deploy hook) only
 * run for a real build to disk: never while serving or watching, never for toJSON().
 */
export function shouldRunSideEffects(event: Pick<BuildEvent, "runMode" | "outputMode">): boolean {
  return event.runMode === "build" && event.outputMode === "fs";
}

/**
 * The Eleventy plugin: makes the site its author's OpenMicroBlogging profile. Usage:
 * `eleventyConfig.addPlugin(eleventyFederation, { siteUrl, sidecarUrl, profile: { nickname } })`.
 */
export default function eleventyFederation(
  eleventyConfig: EleventyConfig,
  userOptions: unknown = {},
): void {
  eleventyConfig.versionCheck(">=3.0.0");
  const options = resolveOptions(userOptions);
  const warn = (message: string) => (eleventyConfig.logger ?? console).warn(message);

  // One index per build, so a rebuild in watch mode sees edited posts.
  let index = new PostIndex(options, warn);
  let homePageTagged = false;
  // The inbox and the feeds are read once per build, by whichever template asks first.
  const timeline = new TimelineSource(options, warn);
  // The interactions export too, on eleventy.before, before any page asks (addInteractions).
  const interactions = new InteractionsSource(options, warn);
  const shortLinkPages = new ShortLinkPages();
  eleventyConfig.on("eleventy.before", (event) => {
    index = new PostIndex(options, warn);
    homePageTagged = false;
    timeline.reset();
    shortLinkPages.start(event);
  });

  addOutputs(eleventyConfig, options, () => index, shortLinkPages);
  addTimeline(eleventyConfig, options, timeline);
  addInteractions(eleventyConfig, options, interactions);
  addWidgetStylesheet(eleventyConfig, options);
  const discovery = options.activitypub ? apDiscovery(options) : null;
  if (discovery) addActivityPubOutputs(eleventyConfig, discovery, warn);
  const apTags = discovery ? activityPubHeadTags(discovery) : null;

  const headTags = yadisHeadTags({
    xrdsUrl: absoluteUrl(options.siteUrl, XRDS_PATH),
    openid: options.openid,
  });
  eleventyConfig.addTransform("eleventy-federation-yadis", function (content) {
    const { url, outputPath } = this.page;
    if (url !== "/" || typeof outputPath !== "string" || !outputPath.endsWith(".html"))
      return content;
    const tagged = injectYadisHead(content, headTags);
    if (tagged === null) {
      warn(
        `eleventy-federation: the home page ${outputPath} has no <head>; add one so the discovery tags can go in.`,
      );
      return content;
    }
    homePageTagged = true;
    return apTags ? (injectActivityPubHead(tagged, apTags) ?? tagged) : tagged;
  });
  eleventyConfig.on("eleventy.after", async (event) => {
    // Before the hook: the sidecar may fetch a short link as soon as it hears of the build.
    shortLinkPages.write(event);
    // An incremental rebuild may skip the home page: only a full build can tell it is missing.
    if (!homePageTagged && !event.incremental) {
      warn(
        "eleventy-federation: no home page (URL /) was built, so no page tells OMB services where the XRDS is. " +
          "Fix: add an index page at the site root.",
      );
    }
    // Only a build copies passthrough files to disk (--serve serves them from the sources).
    const avatarProblem = shouldRunSideEffects(event) && missingAvatarWarning(options, event);
    if (avatarProblem) warn(avatarProblem);
    // Tell the sidecar about this build; never fails the build (it warns instead).
    if (options.hook && shouldRunSideEffects(event)) await notifyDeployHook(options.hook, { warn });
  });

  eleventyConfig.addShortcode("federationProfile", () =>
    renderHCard(options.profile, options.siteUrl, options.widgets),
  );
  eleventyConfig.addShortcode("federationSubscribe", () =>
    renderSubscribeForm(
      sidecarEndpointUrl(options.sidecarUrl, "subscribe"),
      options.profile.nickname,
    ),
  );
}

// Eleventy's plugin identity: `addPlugin` twice keeps the first (Eleventy 3 `unique`).
Object.defineProperty(eleventyFederation, "eleventyPackage", { value: "eleventy-federation" });
Object.defineProperty(eleventyFederation, "eleventyPluginOptions", { value: { unique: true } });

export type {
  ExportedReply,
  PostInteractions,
  RemoteActor,
} from "../contract/interactions-export.js";
export {
  activityPubHeadTags,
  staticHostMeta,
  staticNodeInfo,
  staticWebfinger,
} from "./activitypub-discovery.js";
export { renderHCard } from "./hcard.js";
export { BUTTONS_SCRIPT_PATH } from "./interactions/buttons-script.js";
export { type FederationInteractions, INTERACTIONS_DATA } from "./interactions/data.js";
export { countsText, renderCounts, renderReplies } from "./interactions/html.js";
export { InteractionsReadError } from "./interactions/read.js";
export { buildManifest, manifestProfile } from "./manifest.js";
export {
  DEFAULT_OPTIONS,
  FederationOptionError,
  type ResolvedOptions,
  resolveOptions,
} from "./options.js";
export type { FederationOptions } from "./options-schema.js";
export { absoluteUrl, isFederated, PostFrontMatterError, PostIndex } from "./posts.js";
export { ShortIdCollisionError, shortId, shortLinkHtml } from "./short-links.js";
export { renderSubscribeForm } from "./subscribe-form.js";
export { siteXrds, XRDS_PATH } from "./templates.js";
export { TIMELINE_DATA } from "./timeline/pages.js";
export type {
  FederationTimeline,
  FollowedProfile,
  PulledFeed,
  TimelineAuthor,
  TimelineEntry,
} from "./timeline/timeline.js";
export { WIDGETS_CSS } from "./widgets-stylesheet.js";
export { injectYadisHead, yadisHeadTags } from "./yadis-head.js";
