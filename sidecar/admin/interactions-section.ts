/**
 * The status page's fediverse side: a form to follow an account, the notifications (new
 * followers, replies, likes, boosts, newest first), the replies with their moderation
 * buttons (pending ones first), and the blocks. Remote content is sanitized again here and
 * shown as the post pages would show it; names and URLs are escaped by `html`.
 */
import { sanitizeRemoteHtml } from "../../protocol/activitypub/sanitize.js";
import type { BlockList } from "../interactions/blocks.js";
import type { Notification } from "../interactions/notifications.js";
import type { StoredReply } from "../interactions/records.js";
import { hostOf } from "../interactions/records.js";
import { remoteLink } from "../omb/provider-page.js";
import type { ActorSummary } from "../store/types.js";
import { html, SafeHtml } from "../web/page.js";
import { table } from "./table.js";
import { when } from "./when.js";

/** Where the section's forms post, with the page's CSRF token. */
export interface InteractionForms {
  csrf: string;
  follow: string;
  moderate: string;
  block: string;
}

const who = (a: ActorSummary) => remoteLink(a.url, a.handle ? `${a.name} (@${a.handle})` : a.name);

function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

function followForm(f: InteractionForms): SafeHtml {
  return html`<form method="post" action="${f.follow}" class="follow-account">${hidden("csrf", f.csrf)}
<label>Follow a fediverse account <input name="account" placeholder="@user@instance or actor URL" required size="32"></label>
<button type="submit">Follow</button></form>
<p class="step">Their posts, edits and boosts appear on the timeline once they accept; until then they show as pending.</p>`;
}

const NOTE_TEXT: Record<Notification["kind"], string> = {
  follower: "followed the site",
  reply: "replied",
  like: "liked a post",
  boost: "boosted a post",
};

function notificationsBlock(list: Notification[]): SafeHtml {
  const items = list.map(
    (n) =>
      html`<li data-kind="${n.kind}"><bdi>${who(n.actor)}</bdi> ${NOTE_TEXT[n.kind]}${n.postUri ? html` <span class="step">on ${remoteLink(n.postUri)}</span>` : ""} <span class="step">${when(n.at)}</span></li>`,
  );
  return html`<h2 id="notifications">Notifications</h2>
${items.length > 0 ? html`<ul class="notifications">${items}</ul>` : html`<p>Nothing yet.</p>`}`;
}

function replyActions(f: InteractionForms, r: StoredReply): SafeHtml {
  const buttons = (["approve", "hide", "delete"] as const)
    .filter(
      (a) =>
        !(a === "approve" && r.state === "approved") && !(a === "hide" && r.state === "hidden"),
    )
    .map(
      (a) =>
        html`<button type="submit" name="action" value="${a}">${a[0]?.toUpperCase()}${a.slice(1)}</button> `,
    );
  return html`<form method="post" action="${f.moderate}" class="inline">${hidden("csrf", f.csrf)}${hidden("id", r.id)}${buttons}</form>
<form method="post" action="${f.block}" class="inline">${hidden("csrf", f.csrf)}${hidden("target", r.author.id)}<button type="submit">Block account</button></form>
<form method="post" action="${f.block}" class="inline">${hidden("csrf", f.csrf)}${hidden("target", hostOf(r.author.id))}${hidden("domain", "1")}<button type="submit">Block ${hostOf(r.author.id)}</button></form>`;
}

function repliesBlock(f: InteractionForms, replies: StoredReply[]): SafeHtml {
  const order = { pending: 0, approved: 1, hidden: 2 } as const;
  const sorted = [...replies].sort(
    (a, b) => order[a.state] - order[b.state] || b.receivedAt.localeCompare(a.receivedAt),
  );
  const rows = sorted.map(
    (r) =>
      html`<tr data-reply="${r.id}" data-state="${r.state}"><td>${r.state}</td><td dir="auto"><bdi>${who(r.author)}</bdi><br><span class="step">${when(r.receivedAt)} on ${remoteLink(r.postUri)}</span></td>
<td dir="auto">${r.summary ? html`<p class="step">CW: ${r.summary}</p>` : ""}${new SafeHtml(sanitizeRemoteHtml(r.content))}</td><td>${replyActions(f, r)}</td></tr>`,
  );
  const pending = replies.filter((r) => r.state === "pending").length;
  return html`<h2 id="replies">Replies (${pending} waiting)</h2>
${table(["State", "From", "Reply", ""], rows, "No replies yet.")}
<p class="step">Only approved replies are shown on the post pages, from the next build. \`eleventy-federation replies\` lists them too.</p>`;
}

function blocksBlock(f: InteractionForms, blocks: BlockList): SafeHtml {
  const rows = [
    ...blocks.domains.map((d) => ["domain", d, true] as const),
    ...blocks.actors.map((a) => ["account", a, false] as const),
  ].map(
    ([kind, value, domain]) =>
      html`<tr><td>${kind}</td><td>${value}</td><td><form method="post" action="${f.block}" class="inline">${hidden("csrf", f.csrf)}${hidden("target", value)}${domain ? hidden("domain", "1") : ""}${hidden("unblock", "1")}<button type="submit">Unblock</button></form></td></tr>`,
  );
  return html`<h2 id="blocks">Blocked</h2>
${table(["Kind", "Blocked", ""], rows, "Nothing is blocked.")}
<form method="post" action="${f.block}" class="block-form">${hidden("csrf", f.csrf)}
<label>Block <input name="target" placeholder="actor URL, or a domain" required size="32"></label>
<label><input type="checkbox" name="domain" value="1"> the whole domain</label> <button type="submit">Block</button></form>`;
}

export function interactionsSection(
  forms: InteractionForms,
  data: { notifications: Notification[]; replies: StoredReply[]; blocks: BlockList },
): SafeHtml {
  return html`${notificationsBlock(data.notifications)}
${repliesBlock(forms, data.replies)}
${blocksBlock(forms, data.blocks)}`;
}

export { followForm };
