/** The owner's "Follow this author?" page, and the escaped remote profile card and links it shows. */
import type { OmbProfile } from "../../protocol/omb/profile.js";
import { html, page, type SafeHtml } from "../web/page.js";
import type { AskerEvidence } from "./provider-evidence.js";

/**
 * A remote URL as a link target: only http(s). Escaping keeps text harmless, but a
 * `javascript:` URL stays active in an href, so anything else is not linked at all.
 */
export function safeHref(url: string): string | undefined {
  if (!/^https?:\/\/[^\s]+$/i.test(url) || !URL.canParse(url)) return undefined;
  // As the URL parser writes it: bidi and control characters (valid in an OMB query)
  // percent-encoded, so no link's address can be shown reversed.
  return new URL(url).href;
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
    html`<tr><th>${label}</th><td dir="auto">${value}</td></tr>`;
  return html`<div class="card">
${avatar ? html`<img src="${avatar}" alt="" width="96" height="96">` : ""}
<p><strong><bdi>${p.fullname || p.nickname}</bdi></strong> (<bdi>${p.nickname}</bdi>)</p>
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
  /** The host the browser returns to: named, never trusted (the requester chose it). */
  callbackHost: string;
  /** What could be checked about who asks (provider-evidence.ts). */
  evidence: AskerEvidence;
}

const list = (addresses: string[]) => (addresses.length ? addresses.join(", ") : "no address");

/** The two checks in plain words, each saying what was seen. */
function evidenceList(e: AskerEvidence, identityHost: string): SafeHtml {
  const from = e.address ?? "an unknown address";
  const first = e.fromIdentityHost
    ? html`<li>Yes: the request for this connection came from ${from}, an address of ${identityHost}, the host of this author's identifier.</li>`
    : html`<li>No: the request for this connection came from ${from}, but ${identityHost} (the host of this author's identifier) has ${list(e.identityAddresses)}.</li>`;
  const d = e.discovery;
  const second = !d.ok
    ? html`<li>No: the author's profile page could not be checked: ${d.reason}</li>`
    : !d.namesIdentity
      ? html`<li>No: the author's profile page leads to a discovery document for another identifier.</li>`
      : d.serviceAddresses.includes(from)
        ? html`<li>Yes: the author's profile page names this identifier, and its service ${d.serviceHost} is at ${from}.</li>`
        : html`<li>No: the author's profile page names this identifier, but its service ${d.serviceHost} has ${list(d.serviceAddresses)}, not ${from}.</li>`;
  return html`<ul>${first}${second}</ul>`;
}

/** "Follow this author?" with Accept and Reject, both posting back with the CSRF token. */
export function renderAuthorizePage(d: AuthorizePageData): string {
  const name = d.listenee.fullname || d.listenee.nickname;
  const e = d.evidence;
  const host = e.identityHost || "(none)";
  return page(
    `Follow ${name}?`,
    html`<h1>Follow <bdi>${name}</bdi>?</h1>
<p>A service asks that your site follow this author: their notices would arrive here and show on your site after the next build. Afterwards your browser returns to ${d.callbackHost}.</p>
${profileCard(d.listenee)}
<h2>Who is asking</h2>
${evidenceList(e, host)}
${e.confirmed ? html`<p class="step">Both checks passed: the request came from the author's own host, and their profile page leads back to it.</p>` : html`<p class="error">Careful: it could not be confirmed that this request comes from ${host}, where this author's identity is. Any service can claim any author; accept only if you know the author uses the service that asked.</p>`}
<p>What OpenMicroBlogging cannot prove: it has no signatures on identities (every service signs with an empty secret), so the name, the site's key and the return address in a request are whatever the asking service wrote. The checks above rest only on the network address the request came from and on what the author's pages say now. They cannot tell you that the author wanted this, that no one else shares that address (shared hosting, a proxy), or that the service will send only this author's notices.</p>
${d.alreadyFollowing ? html`<p class="step">You already follow this author; accepting replaces the old connection.</p>` : ""}
<form method="post" action="${d.action}">
<input type="hidden" name="csrf" value="${d.csrf}">
<input type="hidden" name="request" value="${d.request}">
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="reject">Reject</button>
</form>`,
  );
}
