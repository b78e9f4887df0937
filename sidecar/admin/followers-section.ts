/** The status page's followers: by protocol, by instance, each destination's delivery state. */
import type { DestinationState } from "../delivery/status.js";
import { remoteLink } from "../omb/provider-page.js";
import { html, type SafeHtml } from "../web/page.js";
import {
  type InstanceGroup,
  PROTOCOL_NAMES,
  type ProtocolGroup,
  type StatusReport,
} from "./status-data.js";
import { when } from "./when.js";

/** Longest part of a destination's last error shown (the transports keep body excerpts short). */
const ERROR_CHARS = 300;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

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

function errorCell(d: DestinationState): SafeHtml {
  if (!d.lastError) return html``;
  const e =
    d.lastError.length > ERROR_CHARS ? `${d.lastError.slice(0, ERROR_CHARS)}…` : d.lastError;
  return html`<code dir="auto">${e}</code>`;
}

function destinationTable(ds: DestinationState[], head: number): SafeHtml {
  if (ds.length === 0) return html``;
  const rows = ds.map(
    (d) =>
      html`<tr data-destination="${d.key}"><td>${d.url}</td><td>${positionCell(d, head)}</td><td>${stateCell(d)}</td><td>${d.state === "retrying" ? when(d.retryAt) : ""}</td><td>${errorCell(d)}</td></tr>`,
  );
  return html`<table class="destinations"><tr><th>Delivered to</th><th>Position in the log</th><th>State</th><th>Next attempt</th><th>Last error</th></tr>${rows}</table>`;
}

function instanceBlock(g: InstanceGroup, head: number): SafeHtml {
  const names = g.followers.map(
    (f) =>
      html`<li>${remoteLink(f.url, f.name)}${f.fullname && f.fullname !== f.name ? html` (<bdi>${f.fullname}</bdi>)` : ""} <span class="step">since ${when(f.since)}</span></li>`,
  );
  const more = g.count - g.followers.length;
  return html`<section class="instance"><h4>${g.host} <span class="step">${plural(g.count, "follower")}</span></h4>
${destinationTable(g.destinations, head)}
${names.length > 0 ? html`<ul class="followers" dir="auto">${names}</ul>` : ""}${more > 0 ? html`<p class="step">and ${more} more (\`eleventy-federation subscribers\` lists them all)</p>` : ""}</section>`;
}

function protocolBlock(p: ProtocolGroup, head: number): SafeHtml {
  return html`<section class="protocol" data-protocol="${p.protocol}"><h3>${PROTOCOL_NAMES[p.protocol]} <span class="step">${plural(p.count, "follower")} on ${plural(p.instances.length, "instance")}</span></h3>
${p.instances.map((g) => instanceBlock(g, head))}</section>`;
}

export function followersSection(st: StatusReport): SafeHtml {
  const blocks = st.followersByProtocol.map((p) => protocolBlock(p, st.head));
  return html`<h2 id="followers">Followers (${st.subscribers})</h2>
${blocks.length > 0 ? blocks : html`<p>Nobody follows the site yet.</p>`}`;
}
