/** The replies, counts and buttons under a post as HTML, everything from other sites escaped or sanitized. */

import escapeHtml from "escape-html";
import type { ExportedReply, PostInteractions } from "../../contract/interactions-export.js";
import { cleanRemoteText } from "../../contract/remote-text.js";
import { readableTime } from "../timeline/html.js";
import { httpUrl } from "../timeline/timeline.js";
import { safeContent } from "./data.js";
import { type ReplyNode, replyThread } from "./thread.js";

/*
 * Whatever it is given (the global data is cleaned already, a caller's may not be), every
 * text field is cleaned of bidi and control characters and escaped, names and handles are
 * isolated in <bdi>, every URL attribute is an http(s) URL or left out, and a reply's
 * content is sanitized again (the sidecar did it once), unless data.ts just did (safeContent). Nothing
 * here writes a style attribute or an event handler. Classes: docs/widgets.md.
 */

/** Escaped: for text cleaned first, and for URLs we wrote or checked. */
const e = (s: string) => escapeHtml(s);

/** "1 like", "3 likes". */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 likes · 1 boost"; a zero count is left out, so no likes and no boosts give "". */
export function countsText(likes: number, boosts: number): string {
  return [
    likes > 0 ? plural(likes, "like", "likes") : "",
    boosts > 0 ? plural(boosts, "boost", "boosts") : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

/**
 * The `federationCounts` shortcode: `<p class="federation-counts">` with the likes and boosts
 * that are not zero; nothing at all when both are (or the post has no entry).
 */
export function renderCounts(post: PostInteractions | undefined): string {
  if (!post || (post.likes <= 0 && post.boosts <= 0)) return "";
  const parts = [
    post.likes > 0
      ? `<span class="federation-likes">${plural(post.likes, "like", "likes")}</span>`
      : "",
    post.boosts > 0
      ? `<span class="federation-boosts">${plural(post.boosts, "boost", "boosts")}</span>`
      : "",
  ];
  return `<p class="federation-counts">${parts.filter(Boolean).join(" · ")}</p>`;
}

/** An ISO date normalised (so the datetime attribute is valid), or null when it is none. */
function isoDate(value: string | undefined): string | null {
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function avatar(icon: string | undefined): string {
  const src = httpUrl(icon);
  return src
    ? `<img class="u-photo federation-reply-avatar" src="${e(src)}" alt="" width="48" height="48" loading="lazy" referrerpolicy="no-referrer">`
    : "";
}

function author(a: ExportedReply["author"]): string {
  const handle = cleanRemoteText(a.handle ?? "").replace(/^@/, "");
  const name = cleanRemoteText(a.name).trim() || handle || "Someone";
  const inner = `${avatar(a.icon)}<bdi class="p-name">${e(name)}</bdi>`;
  const profile = httpUrl(a.url);
  const shown = profile
    ? `<a class="u-url federation-reply-author-link" href="${e(profile)}" rel="nofollow ugc noopener">${inner}</a>`
    : `<span class="federation-reply-author-link">${inner}</span>`;
  const nick = handle
    ? ` <span class="federation-reply-handle p-nickname"><bdi>@${e(handle)}</bdi></span>`
    : "";
  return `<p class="federation-reply-author p-author h-card">${shown}${nick}</p>`;
}

function content(r: ExportedReply): string {
  const body = `<div class="federation-reply-content e-content" dir="auto">${safeContent(r)}</div>`;
  const warning = cleanRemoteText(r.summary ?? "").trim();
  if (!warning) return body;
  return `<details class="federation-reply-warning"><summary class="p-summary" dir="auto">${e(warning)}</summary>${body}</details>`;
}

function meta(r: ExportedReply, inReplyTo: string | null): string {
  const published = isoDate(r.published);
  const time = published
    ? `<time class="dt-published" datetime="${e(published)}">${e(readableTime(published))}</time>`
    : "reply";
  const url = httpUrl(r.url);
  const link = url
    ? `<a class="u-url" href="${e(url)}" rel="nofollow ugc noopener">${time}</a>`
    : time;
  const parent = inReplyTo ? `<data class="u-in-reply-to" value="${e(inReplyTo)}"></data>` : "";
  return `<p class="federation-reply-meta">${link}${parent}</p>`;
}

function replyItem(node: ReplyNode, post: PostInteractions): string {
  const r = node.reply;
  // What it answers, as a URL: the post's page for the post, else the reply's id.
  const inReplyTo = r.inReplyTo === post.objectId ? httpUrl(post.url) : httpUrl(r.inReplyTo);
  const children =
    node.children.length === 0
      ? ""
      : `\n<ol class="federation-replies-list">\n${node.children.map((c) => replyItem(c, post)).join("\n")}\n</ol>`;
  return `<li class="federation-reply h-cite h-entry">
<article class="federation-reply-body">
${author(r.author)}
${content(r)}
${meta(r, inReplyTo)}
</article>${children}
</li>`;
}

/**
 * The `federationReplies` shortcode: the post's approved replies as a thread, each under the
 * reply it answers (thread.ts), in a `<section class="federation-replies">` headed "3 replies";
 * nothing at all without replies.
 */
export function renderReplies(post: PostInteractions | undefined): string {
  if (!post || post.replies.length === 0) return "";
  const thread = replyThread(post.replies);
  return `<section class="federation-replies">
<h2 class="federation-replies-heading">${plural(post.replies.length, "reply", "replies")}</h2>
<ol class="federation-replies-list">
${thread.map((n) => replyItem(n, post)).join("\n")}
</ol>
</section>`;
}

/** What the buttons of one post need: all ours (options and the export's objectId), none remote text. */
export interface ButtonsTarget {
  /** The post's ActivityPub object id: what Reply, Like and Boost hand to the visitor's instance. */
  objectId: string;
  /** The site's actor: what Follow hands over. */
  actorUrl: string;
  /** The sidecar's subscribe form endpoint, which follows the actor from a handle without JS. */
  subscribeUrl: string;
  nickname: string;
  /** Where the page loads the buttons' script from. */
  scriptSrc: string;
}

/**
 * The `federationButtons` shortcode: a form where visitors type their handle once and press
 * Reply, Like, Boost or Follow, which takes them to their own instance's page for the post (or
 * for the site's account). Without JavaScript the form posts the handle to the sidecar's
 * subscribe endpoint (`profile_url`, as the subscribe form does, with `uri` the post's id
 * for Reply, Like and Boost), which finds the visitor's instance and sends them there.
 * No ids, so any number of forms may be on a page.
 */
export function renderButtons(target: ButtonsTarget): string {
  // Without JavaScript each button posts the form: Reply, Like and Boost with the post's id
  // (the sidecar sends the visitor to their instance's page for it), Follow without.
  const action = (name: string, label: string) =>
    `<button class="federation-button" type="submit" name="uri" value="${e(target.objectId)}" data-federation-action="${name}">${label}</button>`;
  return `<form class="federation-buttons" method="post" action="${e(target.subscribeUrl)}" data-federation-buttons data-federation-object="${e(target.objectId)}" data-federation-actor="${e(target.actorUrl)}">
<input type="hidden" name="nickname" value="${e(target.nickname)}">
<label class="federation-buttons-label"><span class="federation-buttons-prompt">Your fediverse handle</span>
<input class="federation-buttons-handle" type="text" name="profile_url" required placeholder="@you@your.instance" autocapitalize="none" autocomplete="off" spellcheck="false">
</label>
<span class="federation-buttons-actions">${action("reply", "Reply")}${action("like", "Like")}${action("boost", "Boost")}<button class="federation-button" type="submit" data-federation-action="follow">Follow</button></span>
<p class="federation-buttons-status" role="status" aria-live="polite"></p>
</form>
<script src="${e(target.scriptSrc)}" defer></script>`;
}
