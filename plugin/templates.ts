/** The plugin's virtual templates (XRDS, manifest, short-link pages) and the template format they use. */
import { MANIFEST_PATH } from "../contract/manifest.js";
import { sidecarEndpointUrl } from "../contract/public-paths.js";
import { writeXrds } from "../protocol/omb/xrds-write.js";
import type { CollectionItem, EleventyConfig } from "./eleventy-types.js";
import { buildManifest, eleventyRunMode } from "./manifest.js";
import type { ResolvedOptions } from "./options.js";
import { absoluteUrl, hasUrl, type PostIndex } from "./posts.js";
import type { ShortLinkPages } from "./short-link-pages.js";
import { shortLinkHtml, shortLinkPath } from "./short-links.js";

/** Where the discovery document is published (the home page's meta tag points here). */
export const XRDS_PATH = "/xrds.xml";

/**
 * The file extension of the plugin's virtual templates. Its own template format (added with
 * addTemplateFormats, which adds to whatever the site's config limits formats to) keeps the
 * outputs alive in sites that drop `11ty.js`, and enables no format the site left out.
 */
export const TEMPLATE_EXTENSION = "eleventy-federation";

type Data = Record<string, unknown>;

/**
 * Registers `extension` as a template format whose templates are each one renderer's name
 * (the renderer gets the page's data). Returns the virtual input path of a template by name.
 */
export function addTemplateFormat(
  eleventyConfig: EleventyConfig,
  extension: string,
  renderers: Record<string, (data: Data) => string>,
): (name: string) => string {
  eleventyConfig.addExtension(extension, {
    outputFileExtension: "html",
    // Permalinks are plain strings or functions, not templates in this format.
    compileOptions: { permalink: "raw" },
    compile: (content) => {
      const render = renderers[content.trim()];
      if (!render) throw new Error(`eleventy-federation: no virtual template named "${content}"`);
      return render;
    },
  });
  eleventyConfig.addTemplateFormats(extension);
  return (name) => `eleventy-federation/${name}.${extension}`;
}

/** The XRDS naming the sidecar's OAuth provider and OMB endpoints, the site as LocalID. */
export function siteXrds(options: ResolvedOptions): string {
  const at = (e: Parameters<typeof sidecarEndpointUrl>[1]) =>
    sidecarEndpointUrl(options.sidecarUrl, e);
  return writeXrds({
    localId: options.siteUrl,
    request: at("requestToken"),
    authorize: at("authorize"),
    access: at("access"),
    postNotice: at("postNotice"),
    updateProfile: at("updateProfile"),
  });
}

function posts(data: Data, collection: string): CollectionItem[] {
  const collections = data.collections as Record<string, CollectionItem[] | undefined> | undefined;
  return collections?.[collection] ?? [];
}

function generator(data: Data): string {
  const eleventy = data.eleventy as { generator?: string } | undefined;
  return eleventy?.generator
    ? `eleventy-federation (${eleventy.generator})`
    : "eleventy-federation";
}

/**
 * Adds the XRDS, the manifest and the short link pages (one paginated template) as virtual
 * templates. `index()` returns the current build's PostIndex. When the build writes to disk,
 * the short link template hands its posts to `shortLinkPages`, which writes the pages after
 * the build, and pages nothing itself (see short-link-pages.ts).
 */
export function addOutputs(
  eleventyConfig: EleventyConfig,
  options: ResolvedOptions,
  index: () => PostIndex,
  shortLinkPages: ShortLinkPages,
): void {
  const xrds = siteXrds(options);
  const renderers: Record<string, (data: Data) => string> = {
    xrds: () => xrds,
    manifest: (data) =>
      buildManifest(
        options,
        posts(data, options.collection),
        index(),
        generator(data),
        eleventyRunMode(data),
      ),
    "short-link": (data) =>
      shortLinkHtml(
        absoluteUrl(options.siteUrl, (data.post as CollectionItem & { url: string }).url),
      ),
  };
  const path = addTemplateFormat(eleventyConfig, TEMPLATE_EXTENSION, renderers);
  const common = { layout: false, eleventyExcludeFromCollections: true };
  eleventyConfig.addTemplate(path("xrds"), "xrds", { ...common, permalink: XRDS_PATH });
  eleventyConfig.addTemplate(path("manifest"), "manifest", {
    ...common,
    permalink: MANIFEST_PATH,
    // Rendered after the posts, whose content the teasers come from.
    eleventyImport: { collections: [options.collection] },
  });
  if (!options.shortLinks) return;
  const shortUrl = (post: CollectionItem & { url: string }) =>
    shortLinkPath(options.shortLinkPrefix, index().shortId(post));
  eleventyConfig.addTemplate(path("short-links"), "short-link", {
    ...common,
    pagination: {
      data: `collections.${options.collection}`,
      size: 1,
      alias: "post",
      before: (items: CollectionItem[] | undefined) => {
        const posts = (items ?? []).filter(hasUrl);
        if (!shortLinkPages.toDisk) return posts;
        // Ids are claimed here, during the build, so a clash stops it as it did per page.
        shortLinkPages.collect(
          posts.map((post) => ({
            url: shortUrl(post),
            target: absoluteUrl(options.siteUrl, post.url),
          })),
        );
        return [];
      },
    },
    permalink: (data: Data) =>
      `${shortUrl(data.post as CollectionItem & { url: string })}index.html`,
  });
}
