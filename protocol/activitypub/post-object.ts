/**
 * A post of the manifest as an ActivityPub object (Note or Article), and its Tombstone once
 * deleted. The sidecar serves these at the post's object URL and embeds them in activities.
 */
import {
  Article,
  Hashtag,
  LanguageString,
  Note,
  PUBLIC_COLLECTION,
  Tombstone,
} from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import escapeHtml from "escape-html";
import { apUrl, postObjectKey } from "../../contract/activitypub-paths.js";
import type { ManifestNotice } from "../../contract/manifest.js";
import { cleanRemoteText } from "../../contract/remote-text.js";
import { sanitizeOutgoingHtml } from "./sanitize.js";
import { jsonByteLength, MAX_CONTENT_BYTES, truncateHtml } from "./truncate-html.js";

export type PostObjectType = "Note" | "Article";

export interface ApOptions {
  /** The sidecar's public base URL (`publicUrl`): every id is built on it. */
  sidecarUrl: string;
  /** The site's nickname: the actor's identifier. */
  nickname: string;
  /**
   * Note: Mastodon shows the whole post. Article: Mastodon shows the title, summary and a
   * link only (others may show the content).
   */
  objectType: PostObjectType;
}

type ActorOptions = Pick<ApOptions, "sidecarUrl" | "nickname">;

export function actorId(opts: ActorOptions): URL {
  return new URL(apUrl(opts.sidecarUrl, "actor", { identifier: opts.nickname }));
}

export function followersId(opts: ActorOptions): URL {
  return new URL(apUrl(opts.sidecarUrl, "followers", { identifier: opts.nickname }));
}

/** The object id of the post whose manifest `uri` is `postUri` (stable for good). */
export function postObjectId(sidecarUrl: string, postUri: string): URL {
  return new URL(apUrl(sidecarUrl, "post", { id: postObjectKey(postUri) }));
}

/** Public, and to the followers: what Mastodon shows as a public post. */
export function publicAudience(opts: ActorOptions): { to: URL; cc: URL } {
  return { to: PUBLIC_COLLECTION, cc: followersId(opts) };
}

/** An ISO 8601 date-time with offset (as the manifest holds them) as an instant. */
export function instant(iso: string): Temporal.Instant {
  return Temporal.Instant.from(iso);
}

/** Our own plain text as HTML: escaped, paragraphs on blank lines, line breaks kept. */
export function textHtml(text: string): string {
  return cleanRemoteText(text)
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replaceAll("\n", "<br />")}</p>`)
    .join("");
}

/**
 * The post's body as HTML within the size bound: its rendered HTML sanitized (links made
 * absolute against its URL), or else its summary, or else its plain notice text.
 */
function bodyHtml(notice: ManifestNotice, maxBytes: number): string {
  const html = notice.html ? sanitizeOutgoingHtml(notice.html, notice.url).trim() : "";
  const body = html || textHtml(notice.summary ?? "") || textHtml(notice.content);
  return truncateHtml(body, maxBytes).html;
}

/** The whole post for a Note: bold title, body, then a link to the page. */
function noteHtml(notice: ManifestNotice): string {
  const title = notice.title ? cleanRemoteText(notice.title).trim() : "";
  const url = escapeHtml(notice.url);
  const head = title ? `<p><strong>${escapeHtml(title)}</strong></p>` : "";
  const link = `<p><a href="${url}">${url}</a></p>`;
  const budget = MAX_CONTENT_BYTES - jsonByteLength(head) - jsonByteLength(link);
  return head + bodyHtml(notice, budget) + link;
}

/** `#tag` names, once each (Mastodon reads `name`; the site has no tag pages to link). */
function hashtags(tags: readonly string[] | undefined): Hashtag[] {
  const names = (tags ?? [])
    .map((t) => cleanRemoteText(t).replace(/^#+/, "").replace(/\s+/g, ""))
    .filter(Boolean);
  return [...new Set(names)].map((name) => new Hashtag({ name: `#${name}` }));
}

/** `content` and, when the language is known, `contentMap` under it. */
function contents(html: string, language: string | undefined): (string | LanguageString)[] {
  return language ? [html, new LanguageString(html, language)] : [html];
}

/**
 * The post as a Note or an Article. `updated` (ISO) is the time of an edit; it defaults to
 * the notice's own `updated`, and an Update needs one: Mastodon ignores an Update without.
 */
export function postObject(
  notice: ManifestNotice,
  opts: ApOptions,
  updated: string | undefined = notice.updated,
): Note | Article {
  const common = {
    id: postObjectId(opts.sidecarUrl, notice.uri),
    attribution: actorId(opts),
    ...publicAudience(opts),
    url: new URL(notice.url),
    published: instant(notice.published),
    updated: updated ? instant(updated) : null,
    tags: hashtags(notice.tags),
    replyTarget: notice.inReplyTo ? new URL(notice.inReplyTo) : null,
  };
  if (opts.objectType === "Note") {
    return new Note({ ...common, contents: contents(noteHtml(notice), notice.language) });
  }
  const summary = notice.summary ? cleanRemoteText(notice.summary).trim() : "";
  return new Article({
    ...common,
    name: notice.title ? cleanRemoteText(notice.title).trim() || null : null,
    // Plain text, as Mastodon writes and reads `summary` (it shows it beside the title).
    summary: summary || null,
    contents: contents(bodyHtml(notice, MAX_CONTENT_BYTES), notice.language),
  });
}

export interface DeletedPost {
  /** The post's manifest `uri`. */
  uri: string;
  /** The post's page on the site (not on the Tombstone: a deleted page has none). */
  url?: string;
  /** ISO 8601: when the sidecar saw it removed. */
  deletedAt: string;
}

/** What the object URL of a deleted post serves, and what a Delete carries. */
export function tombstone(post: DeletedPost, opts: ApOptions): Tombstone {
  return new Tombstone({
    id: postObjectId(opts.sidecarUrl, post.uri),
    formerType: opts.objectType === "Note" ? Note : Article,
    deleted: instant(post.deletedAt),
  });
}
