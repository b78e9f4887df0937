/** The timeline and following pages as HTML, everything from other sites escaped. */

import escapeHtml from "escape-html";
import { cleanRemoteText } from "../../contract/remote-text.js";
import { safeHtmlOf } from "../sanitized.js";
import { timelineHtml } from "./remote-html.js";
import type {
  ApEntry,
  FederationTimeline,
  FollowedProfile,
  PulledFeed,
  TimelineAttachment,
  TimelineEntry,
} from "./timeline.js";
import { httpUrl } from "./timeline.js";

/**
 * The HTML of the timeline and following pages. Everything that came from another site
 * (names, bios, notice text, URLs) is escaped here; only http(s) URLs become links or
 * images, anything else is shown as text. Remote images are loaded without a referrer.
 * Text (not attributes) is also cleaned of bidi controls and control characters
 * (contract/remote-text.ts) here, at render time, whatever source it came from; names
 * shown next to our own words are isolated (`dir="auto"`, `<bdi>`). An ActivityPub post's
 * HTML is sanitized here once more (remote-html.ts), whoever made the entry.
 */

/** For attribute values (URLs): escaped only, as given. */
const e = (s: string) => escapeHtml(s);
/** For text from other sites: cleaned, then escaped. */
const t = (s: string) => escapeHtml(cleanRemoteText(s));

/** A URL inside text, up to whitespace or a character that cannot be in one unescaped. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/g;

/** Plain text with its http(s) URLs made into links (as StatusNet showed notices). */
export function linkify(remote: string): string {
  const text = cleanRemoteText(remote);
  let out = "";
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    // Sentence punctuation right after a URL belongs to the sentence.
    const url = m[0].replace(/[.,;:!?)\]]+$/, "");
    const start = m.index ?? 0;
    out += e(text.slice(last, start));
    out += httpUrl(url) ? `<a href="${e(url)}" rel="nofollow ugc">${e(url)}</a>` : e(url);
    last = start + url.length;
  }
  return out + e(text.slice(last));
}

function avatar(src: string | null, size: number, className: string): string {
  return src
    ? `<img class="${className}" src="${e(src)}" alt="" width="${size}" height="${size}" loading="lazy" referrerpolicy="no-referrer">`
    : "";
}

function link(href: string | null, text: string, className: string): string {
  return href
    ? `<a class="${className}" dir="auto" href="${e(href)}" rel="nofollow ugc">${t(text)}</a>`
    : `<span class="${className}" dir="auto">${t(text)}</span>`;
}

/** "2026-01-02 13:04 UTC": the same on every machine the site is built on. */
export function readableTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function dateTime(iso: string, className: string): string {
  return `<time class="${className}" datetime="${e(iso)}">${e(readableTime(iso))}</time>`;
}

/** "<booster> boosted", above the original author's post. */
function boostLine(ap: ApEntry): string {
  if (!ap.boostedBy) return "";
  const at = ap.boostedAt ? ` ${dateTime(ap.boostedAt, "federation-boosted-at")}` : "";
  const by = link(ap.boostedBy.profileUrl, ap.boostedBy.name, "u-url p-name");
  return `<p class="federation-entry-boost"><span class="h-card">${by}</span> boosted${at}</p>\n`;
}

function attachmentItem(a: TimelineAttachment): string {
  const inner = /^image\//i.test(a.mediaType)
    ? `<img src="${e(a.url)}" alt="${t(a.name)}" loading="lazy" referrerpolicy="no-referrer">`
    : `<bdi>${t(a.name || a.mediaType || "attachment")}</bdi>`;
  return `<li><a href="${e(a.url)}" rel="nofollow ugc">${inner}</a></li>`;
}

/** The post's HTML and attachments, folded under its content warning when it has one. */
function apBody(ap: ApEntry): string {
  const media =
    ap.attachments.length === 0
      ? ""
      : `\n<ul class="federation-entry-attachments">${ap.attachments.map(attachmentItem).join("")}</ul>`;
  const body = `<div class="federation-entry-text e-content" dir="auto">${safeHtmlOf(ap, ap.html, timelineHtml)}</div>${media}`;
  return ap.contentWarning
    ? `<details class="federation-entry-cw"><summary class="p-summary" dir="auto">${t(ap.contentWarning)}</summary>\n${body}\n</details>`
    : body;
}

export function renderEntry(entry: TimelineEntry): string {
  const { author, source, activitypub: ap } = entry;
  // An ActivityPub post shows when it was written; the order stays by arrival (`date`).
  const shown = ap?.published ?? entry.date;
  const time = shown ? dateTime(shown, "dt-published") : "";
  const permalink = entry.url
    ? `<a class="u-url" href="${e(entry.url)}" rel="nofollow ugc">${time || "link"}</a>`
    : `${time}${entry.unlinkedUrl ? ` <span class="federation-unlinked-url">${t(entry.unlinkedUrl)}</span>` : ""}`;
  const edited = ap?.updated
    ? ` · <span class="federation-entry-edited">edited ${dateTime(ap.updated, "dt-updated")}</span>`
    : "";
  const name = `<bdi>${t(source.name)}</bdi>`;
  const via = source.kind === "feed" ? `from the feed ${name}` : `via ${name}`;
  const nickname =
    author.nickname && author.nickname !== author.name
      ? ` <span class="p-nickname" dir="auto">@${t(author.nickname)}</span>`
      : "";
  const body = ap
    ? apBody(ap)
    : `<p class="federation-entry-text e-content" dir="auto">${linkify(entry.text)}</p>`;
  return `<li class="federation-entry h-entry" data-source="${source.kind}">
${ap ? boostLine(ap) : ""}<div class="federation-entry-author p-author h-card">${avatar(author.avatar, 48, "u-photo")}${link(author.profileUrl, author.name, "u-url p-name")}${nickname}</div>
${body}
<p class="federation-entry-meta">${permalink}${edited} · <span class="federation-entry-source">${via}</span></p>
</li>`;
}

/** What Eleventy's pagination gives a page, the parts used here. */
export interface PageLinks {
  pageNumber: number;
  pageCount: number;
  previous: string | null;
  next: string | null;
}

export function renderTimeline(
  entries: readonly TimelineEntry[],
  page: PageLinks,
  followingHref: string,
): string {
  const list =
    entries.length === 0
      ? `<p class="federation-empty">Nothing here yet. Notices from the people this site follows will appear after the next build.</p>`
      : `<ol class="federation-entries">\n${entries.map(renderEntry).join("\n")}\n</ol>`;
  const nav =
    page.pageCount > 1
      ? `<nav class="federation-pagination" aria-label="Timeline pages">${
          page.previous ? `<a rel="prev" href="${e(page.previous)}">← Newer</a>` : ""
        } <span>Page ${page.pageNumber + 1} of ${page.pageCount}</span> ${
          page.next ? `<a rel="next" href="${e(page.next)}">Older →</a>` : ""
        }</nav>`
      : "";
  return `<section class="federation-timeline h-feed">
<h1 class="p-name">Timeline</h1>
<p class="federation-intro">What the people <a href="${e(followingHref)}">this site follows</a> posted, newest first.</p>
${list}
${nav}
</section>`;
}

function profileItem(p: FollowedProfile): string {
  const details = [
    p.fullname && p.nickname ? `<span class="p-nickname" dir="auto">@${t(p.nickname)}</span>` : "",
    p.location ? `<span class="p-locality" dir="auto">${t(p.location)}</span>` : "",
    `${p.pending ? "requested" : "following since"} <time datetime="${e(p.since)}">${t(p.since.slice(0, 10))}</time>`,
  ].filter(Boolean);
  const pending = p.pending
    ? ` <span class="federation-followed-pending">(request pending)</span>`
    : "";
  return `<li class="federation-followed h-card">${avatar(p.avatar, 48, "u-photo")}
${link(p.profileUrl, p.fullname || p.nickname, "u-url p-name")}${pending}
${p.bio ? `<p class="p-note" dir="auto">${t(p.bio)}</p>` : ""}
<p class="federation-followed-meta">${details.join(" · ")}</p>
</li>`;
}

function feedItem(f: PulledFeed): string {
  const state = f.ok
    ? ""
    : ` <span class="federation-feed-error">(could not be read in this build)</span>`;
  return `<li class="federation-feed">${link(f.siteUrl, f.name, "p-name")} <a class="federation-feed-url" href="${e(f.url)}" rel="nofollow ugc">feed</a>${state}</li>`;
}

export function renderFollowing(timeline: FederationTimeline, timelineHref: string): string {
  const people =
    timeline.following.length === 0
      ? `<p class="federation-empty">Nobody yet. Follow someone from their OpenMicroBlogging service: type this site's address into their remote-subscribe form.</p>`
      : `<ul class="federation-following-list">\n${timeline.following.map(profileItem).join("\n")}\n</ul>`;
  const feeds =
    timeline.feeds.length === 0
      ? ""
      : `<h2>Feeds</h2>\n<ul class="federation-feeds">\n${timeline.feeds.map(feedItem).join("\n")}\n</ul>`;
  return `<section class="federation-following">
<h1>Following</h1>
<p class="federation-intro">Their posts appear on the <a href="${e(timelineHref)}">timeline</a>.</p>
${people}
${feeds}
</section>`;
}

/** A page for sites without a layout: valid, readable, nothing loaded from elsewhere but avatars. */
export function standalonePage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
ol,ul{list-style:none;padding:0}
li.federation-entry,li.federation-followed{position:relative;min-height:48px;padding:.8rem 0 .8rem 60px;border-bottom:1px solid #eee}
li.federation-entry p,li.federation-followed p{margin:.2rem 0}
.federation-entry .u-photo,.federation-followed .u-photo{position:absolute;left:0;top:.8rem;border-radius:6px}
.federation-entry-meta,.p-nickname,.federation-followed-meta{color:#666;font-size:.9em}
.federation-entry-text{overflow-wrap:anywhere}
.federation-entry-text .invisible{display:none}
.federation-entry-text .ellipsis::after{content:"…"}
.federation-entry-attachments img{max-width:100%;height:auto}
.federation-pagination{display:flex;justify-content:space-between;margin-top:1rem}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
