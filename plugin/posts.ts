/** What the plugin derives from each post: short ids and its manifest notice. */
import type { ManifestNotice } from "../contract/manifest.js";
import {
  capNoticeOverride,
  NOTICE_MAX_CHARS,
  renderNoticeText,
} from "../protocol/omb/notice-text.js";
import { noticeTeaser } from "../protocol/omb/post-text.js";
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
      const updated = updatedOf(item);
      const inReplyTo = replyTargetOf(item, this.options.siteUrl);
      notice = {
        uri: url,
        url,
        content: this.#noticeText(item, url) || url,
        published: item.date.toISOString(),
        license: this.options.profile.license,
        title: titleOf(item),
        html: item.content ?? "",
        summary: textField(item, ["summary", "description", "excerpt"]),
        tags: this.#tags(item),
        language: languageOf(item),
        ...(updated ? { updated } : {}),
        ...(inReplyTo ? { inReplyTo } : {}),
      };
      this.#notices.set(item, notice);
    }
    return notice;
  }

  /** The post's tags, without the collection tag that makes it a post (nor Eleventy's "all"). */
  #tags(item: CollectionItem): string[] {
    const raw = item.data.tags;
    const list = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
    const skip = new Set([this.options.collection, "all"]);
    const tags = list.filter((t): t is string => typeof t === "string" && t !== "" && !skip.has(t));
    return [...new Set(tags)].slice(0, 100).map((t) => t.slice(0, 200));
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
    return renderNoticeText(this.options.noticeTemplate, {
      title: titleOf(item),
      url,
      shortUrl: this.#shortUrl(item, url),
      siteUrl: this.options.siteUrl,
      teaser: noticeTeaser(item.data, item.content ?? ""),
    });
  }
}

/** The front matter title; YAML reads `title: 2024` as a number: still the title. */
function titleOf(item: CollectionItem): string {
  const t = item.data.title;
  return typeof t === "string" || typeof t === "number" ? String(t) : "";
}

/** The first of `names` that front matter sets to text. */
function textField(item: CollectionItem, names: string[]): string {
  for (const name of names) {
    const v = item.data[name];
    if (typeof v === "string" && v.trim() !== "") return v.trim();
  }
  return "";
}

/**
 * Front matter `inReplyTo` (or `in_reply_to`, `replyTo`): what the post answers, made
 * absolute against the site; anything but an http(s) URL is left out.
 */
function replyTargetOf(item: CollectionItem, siteUrl: string): string | undefined {
  const raw = textField(item, ["inReplyTo", "in_reply_to", "replyTo"]);
  if (!raw || !URL.canParse(raw, siteUrl)) return undefined;
  const url = new URL(raw, siteUrl);
  return (url.protocol === "https:" || url.protocol === "http:") && url.href.length <= 2048
    ? url.href
    : undefined;
}

/** `lang` or `language` from the post's data (a site-wide `lang` in _data counts), if a BCP 47 tag. */
function languageOf(item: CollectionItem): string {
  const lang = textField(item, ["lang", "language"]);
  return /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(lang) ? lang : "";
}

/**
 * Front matter `updated` (a date, or text a Date reads), when it is after the published
 * date: the post was edited. Anything else is refused with what to write.
 */
function updatedOf(item: CollectionItem): string | undefined {
  const v = item.data.updated;
  if (v === undefined || v === null || v === "") return undefined;
  const date = v instanceof Date ? v : typeof v === "string" ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new PostFrontMatterError(
      `eleventy-federation: front matter "updated" in ${item.inputPath} must be a date, got ${JSON.stringify(v)}. ` +
        "Fix: write it as 2024-05-01 or 2024-05-01T12:00:00Z, or remove the line.",
    );
  }
  return date.getTime() > item.date.getTime() ? date.toISOString() : undefined;
}
