/**
 * The status page's followers: by protocol, by instance (failing ones first), each
 * destination's delivery state and last error, the instance's newest permanent failure;
 * then the follow requests waiting for the owner.
 */
import { cleanRemoteText } from "../../contract/remote-text.js";
import type { FollowRequest } from "../activitypub/follow-requests.js";
import type { DestinationState } from "../delivery/status.js";
import { remoteLink } from "../omb/provider-page.js";
import { html, type SafeHtml } from "../web/page.js";
import { type InstanceSummary, type ProtocolSummary, summarizeInstances } from "./instances.js";
import { plural } from "./plural.js";
import { PROTOCOL_NAMES, type StatusReport } from "./status-data.js";
import { when } from "./when.js";

function stateCell(d: DestinationState): SafeHtml {
  switch (d.state) {
    case "up to date":
      return html`<span class="ok">up to date</span>`;
    case "sending":
      return html`<span class="busy">sending</span>`;
    case "retrying":
      return html`<span class="error">retrying</span> (${plural(d.attempts, "failed attempt")} since ${when(d.failingSince)})`;
    case "waiting":
      return html`waiting: this sidecar does not speak ${PROTOCOL_NAMES[d.protocol]} now`;
    case "given up":
      return html`<span class="error">given up ${when(d.gaveUpAt)}</span> (\`eleventy-federation deliver --include-gave-up\` tries again)`;
  }
}

function positionCell(d: DestinationState, head: number): SafeHtml {
  const at = html`at #${d.cursor} of #${head}${d.behind > 0 ? html`, ${d.behind} behind` : ""}`;
  if (!d.progress) return at;
  const { done, of } = d.progress;
  return html`<progress value="${done}" max="${of}"></progress> delivered ${done} of ${of}<br><span class="step">${at}</span>`;
}

/** The error as text (it is bounded already: `summarizeInstances`). */
function errorCell(d: DestinationState): SafeHtml {
  return d.lastError ? html`<code dir="auto">${d.lastError}</code>` : html``;
}

function lastFailure(g: InstanceSummary): SafeHtml {
  const f = g.lastFailure;
  if (!f) return html``;
  return html`<p class="last-failure">Newest permanent failure, ${when(f.at)}${f.status === undefined ? "" : html` (HTTP ${f.status})`}: <code dir="auto">${f.error}</code></p>`;
}

function destinationTable(ds: DestinationState[], head: number): SafeHtml {
  if (ds.length === 0) return html``;
  const rows = ds.map(
    (d) =>
      html`<tr data-destination="${cleanRemoteText(d.key)}"><td>${d.url}</td><td>${positionCell(d, head)}</td><td>${stateCell(d)}</td><td>${d.state === "retrying" ? when(d.retryAt) : ""}</td><td>${errorCell(d)}</td></tr>`,
  );
  return html`<table class="destinations"><tr><th>Delivered to</th><th>Position in the log</th><th>State</th><th>Next attempt</th><th>Last error</th></tr>${rows}</table>`;
}

function instanceBlock(g: InstanceSummary, head: number): SafeHtml {
  const names = g.followers.map(
    (f) =>
      html`<li>${remoteLink(f.url, f.name)}${f.fullname && f.fullname !== f.name ? html` (<bdi>${f.fullname}</bdi>)` : ""} <span class="step">since ${when(f.since)}</span></li>`,
  );
  const more = g.count - g.followers.length;
  return html`<section class="instance${g.failing ? " failing" : ""}" data-instance="${g.host}"><h4>${g.host} <span class="step">${plural(g.count, "follower")}</span></h4>
${destinationTable(g.destinations, head)}
${lastFailure(g)}
${names.length > 0 ? html`<ul class="followers" dir="auto">${names}</ul>` : ""}${more > 0 ? html`<p class="step">and ${more} more (\`eleventy-federation followers\` lists them all)</p>` : ""}</section>`;
}

function protocolBlock(p: ProtocolSummary, head: number): SafeHtml {
  return html`<section class="protocol" data-protocol="${p.protocol}"><h3>${PROTOCOL_NAMES[p.protocol]} <span class="step">${plural(p.count, "follower")} on ${plural(p.instances.length, "instance")}</span></h3>
${p.instances.map((g) => instanceBlock(g, head))}</section>`;
}

/** Where the owner's Approve/Reject buttons post (with the page's CSRF token). */
export interface RequestForms {
  action: string;
  csrf: string;
}

function answerForm(forms: RequestForms, actor: string): SafeHtml {
  return html`<form method="post" action="${forms.action}" class="inline"><input type="hidden" name="csrf" value="${forms.csrf}"><input type="hidden" name="actor" value="${actor}">
<button type="submit" name="answer" value="approve">Approve</button> <button type="submit" name="answer" value="reject">Reject</button></form>`;
}

/** Follows held for the owner (activitypub.manuallyApprovesFollowers), oldest first. */
function requestsBlock(requests: FollowRequest[], forms?: RequestForms): SafeHtml {
  if (requests.length === 0) return html``;
  const items = requests.map(
    ({ follower: f, receivedAt }) =>
      html`<li>${remoteLink(f.profile.url, f.profile.handle ?? f.profile.name)} <span class="step">${f.id}, asked ${when(receivedAt)}</span> ${forms ? answerForm(forms, f.id) : html``}</li>`,
  );
  return html`<section class="follow-requests"><h3>Follow requests waiting for your approval (${requests.length})</h3>
<ul dir="auto">${items}</ul>
<p class="step">\`eleventy-federation followers approve &lt;actor&gt;\` (or \`reject\`) answers one.</p></section>`;
}

/**
 * `requests`: the follow requests held for the owner (`listFollowRequests`), if any, each
 * with Approve/Reject buttons when `forms` says where they post.
 */
export function followersSection(
  st: StatusReport,
  requests: FollowRequest[] = [],
  forms?: RequestForms,
): SafeHtml {
  const protocols = summarizeInstances(st.followersByProtocol, st.recentFailures);
  const blocks = protocols.map((p) => protocolBlock(p, st.head));
  return html`<h2 id="followers">Followers (${st.subscribers})</h2>
${blocks.length > 0 ? blocks : html`<p>Nobody follows the site yet.</p>`}
${requestsBlock(requests, forms)}`;
}
