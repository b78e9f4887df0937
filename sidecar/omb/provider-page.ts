/** The owner's "Follow this author?" page, and the escaped remote profile card and links it shows. */
import type { OmbProfile } from "../../protocol/omb/profile.js";
import { html, page, type SafeHtml } from "../web/page.js";

/**
 * A remote URL as a link target: only http(s). Escaping keeps text harmless, but a
 * `javascript:` URL stays active in an href, so anything else is not linked at all.
 */
export function safeHref(url: string): string | undefined {
  return /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;
}

/** A link to a remote URL, or the plain text when it is not http(s). */
export function remoteLink(url: string, text: string = url): SafeHtml {
  const href = safeHref(url);
  return href ? html`<a href="${href}" rel="nofollow noopener">${text}</a>` : html`${text}`;
}

/** A remote author's profile, every field escaped (all of it comes from the other site). */
export function profileCard(p: OmbProfile): SafeHtml {
  const avatar = safeHref(p.avatar);
  const row = (label: string, value: SafeHtml | string) =>
    html`<tr><th>${label}</th><td>${value}</td></tr>`;
  return html`<div class="card">
${avatar ? html`<img src="${avatar}" alt="" width="96" height="96">` : ""}
<p><strong>${p.fullname || p.nickname}</strong> (${p.nickname})</p>
<table>
${row("Nickname", p.nickname)}
${p.fullname ? row("Full name", p.fullname) : ""}
${p.bio ? row("Bio", p.bio) : ""}
${p.location ? row("Location", p.location) : ""}
${row("Profile", remoteLink(p.profile))}
${p.homepage ? row("Homepage", remoteLink(p.homepage)) : ""}
${row("License", remoteLink(p.license))}
${row("Identifier", p.uri)}
</table></div>`;
}

export interface AuthorizePageData {
  listenee: OmbProfile;
  /** The public authorize URL the decision is posted to. */
  action: string;
  csrf: string;
  /** The authorize request's raw query, posted back and checked again. */
  request: string;
  alreadyFollowing: boolean;
  /** The other site's host, to say where the browser returns. */
  callbackHost: string;
  /** Set when the author's identifier is on another host than the service asking. */
  identityHost?: string | undefined;
}

/** "Follow this author?" with Accept and Reject, both posting back with the CSRF token. */
export function renderAuthorizePage(d: AuthorizePageData): string {
  const name = d.listenee.fullname || d.listenee.nickname;
  return page(
    `Follow ${name}?`,
    html`<h1>Follow ${name}?</h1>
<p>A request from ${d.callbackHost}: your site would follow this author, and their notices would arrive here and show on your site after the next build.</p>
${profileCard(d.listenee)}
${d.identityHost ? html`<p class="error">Careful: this author's identity is on ${d.identityHost}, but the request comes from ${d.callbackHost}. Any service can claim any author; accept only if you trust ${d.callbackHost} to speak for them.</p>` : ""}
${d.alreadyFollowing ? html`<p class="step">You already follow this author; accepting replaces the old connection.</p>` : ""}
<form method="post" action="${d.action}">
<input type="hidden" name="csrf" value="${d.csrf}">
<input type="hidden" name="request" value="${d.request}">
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="reject">Reject</button>
</form>`,
  );
}
