import type { ManifestNotice } from "../contract/manifest.js";
import {
  capNoticeOverride,
  NOTICE_MAX_CHARS,
  noticeTeaser,
  renderNoticeText,
} from "../protocol/omb/notice-text.js";
import type { CollectionItem } from "./eleventy-types.js";
import type { ResolvedOptions } from "./options.js";
import { SHORT_ID_PATTERN, ShortIdRegistry, shortId, shortLinkPath } from "./short-links.js";

export class PostFrontMatterError extends Error {
  override name = "PostFrontMatterError";
}

/** An item that becomes a page: posts with `permalink: false` have nothing to link to. */
export function hasUrl(item: CollectionItem): item is CollectionItem & { url: string } {
  return typeof item.url === "string" && item.url !== "";
}

/** `federate: false` in front matter keeps a post out of the manifest (and so off the wire). */
export function isFederated(item: CollectionItem): boolean {
  const federate = item.data.federate;
  if (federate === undefined || federate === true) return true;
  if (federate === false) return false;
  throw new PostFrontMatterError(
    `eleventy-federation: front matter "federate" in ${item.inputPath} must be true or false, got ${JSON.stringify(federate)}. ` +
      "Fix: write federate: false to keep the post out of federation, or remove the line.",
  );
}

/** A root-relative page URL made absolute against the site URL (which may have a path). */
export function absoluteUrl(siteUrl: string, path: string): string {
  return new URL(path.replace(/^\/+/, ""), siteUrl).href;
}

/**
 * Everything the plugin derives from the posts, computed at most once per post per build:
 * short ids (from URLs only, so permalinks can use them before anything is rendered) and
 * notices (from rendered content, so only templates that run after the posts may ask).
 */
export class PostIndex {
  readonly #shortIds = new WeakMap<CollectionItem, string>();
  readonly #notices = new WeakMap<CollectionItem, ManifestNotice>();
  readonly #registry = new ShortIdRegistry();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly warn: (message: string) => void,
  ) {}

  shortId(item: CollectionItem & { url: string }): string {
    let id = this.#shortIds.get(item);
    if (id === undefined) {
      const given = item.data.shortId;
      if (given !== undefined && (typeof given !== "string" || !SHORT_ID_PATTERN.test(given))) {
        throw new PostFrontMatterError(
          `eleventy-federation: front matter "shortId" in ${item.inputPath} must be 1–32 lowercase letters, digits, "-" or "_", got ${JSON.stringify(given)}. ` +
            "Fix: choose an id like my-post, or remove the line to use the generated one.",
        );
      }
      id = given ?? shortId(item.url);
      this.#registry.claim(id, item.url, item.inputPath);
      this.#shortIds.set(item, id);
    }
    return id;
  }

  /** The post's short link, or its own (absolute) `url` when short links are turned off. */
  #shortUrl(item: CollectionItem & { url: string }, url: string): string {
    if (!this.options.shortLinks) return url;
    return absoluteUrl(
      this.options.siteUrl,
      shortLinkPath(this.options.shortLinkPrefix, this.shortId(item)),
    );
  }

  notice(item: CollectionItem & { url: string }): ManifestNotice {
    let notice = this.#notices.get(item);
    if (notice === undefined) {
      const url = absoluteUrl(this.options.siteUrl, item.url);
      notice = {
        uri: url,
        url,
        content: this.#noticeText(item, url) || url,
        published: item.date.toISOString(),
        license: this.options.profile.license,
      };
      this.#notices.set(item, notice);
    }
    return notice;
  }

  #noticeText(item: CollectionItem & { url: string }, url: string): string {
    const override = item.data.notice;
    if (override !== undefined) {
      if (typeof override !== "string") {
        throw new PostFrontMatterError(
          `eleventy-federation: front matter "notice" in ${item.inputPath} must be text, got ${JSON.stringify(override)}. ` +
            'Fix: quote it, e.g. notice: "My text".',
        );
      }
      const capped = capNoticeOverride(override, NOTICE_MAX_CHARS);
      if (capped.truncated) {
        this.warn(
          `eleventy-federation: the notice: override in ${item.inputPath} is longer than ${NOTICE_MAX_CHARS} characters; ` +
            `it was shortened to "${capped.text}". Fix: shorten it yourself to choose the words.`,
        );
      }
      return capped.text;
    }
    // YAML reads `title: 2024` as a number: still the title.
    const { title: t } = item.data;
    const title = typeof t === "string" || typeof t === "number" ? String(t) : "";
    return renderNoticeText(this.options.noticeTemplate, {
      title,
      url,
      shortUrl: this.#shortUrl(item, url),
      siteUrl: this.options.siteUrl,
      teaser: noticeTeaser(item.data, item.content ?? ""),
    });
  }
}
