/** The owner's status page (GET /admin): the CLI's status, followers by instance, a chart, what arrived. */

import { sanitizeRemoteHtml } from "../../protocol/activitypub/sanitize.js";
import { listFollowRequests } from "../activitypub/follow-requests.js";
import { OWNER_PATHS, publicPath } from "../auth/owner.js";
import type { Context } from "../context.js";
import { Blocks } from "../interactions/blocks.js";
import { listReplies } from "../interactions/interactions.js";
import { recentNotifications } from "../interactions/notifications.js";
import { profileCard, remoteLink } from "../omb/provider-page.js";
import { html, page, SafeHtml } from "../web/page.js";
import { deliveryChart } from "./chart.js";
import { followersSection } from "./followers-section.js";
import { followForm, interactionsSection } from "./interactions-section.js";
import {
  followersSummary,
  nameOf,
  outboundSummary,
  type StatusReport,
  secretNotes,
  statusReport,
} from "./status-data.js";
import { table } from "./table.js";
import { when } from "./when.js";

/** Rows shown per table on the status page. */
const RECENT = 50;
/** Seconds between reloads while deliveries are under way. */
export const REFRESH_SECONDS = 5;
/** A retry due this soon counts as under way: the page keeps reloading to show it. */
const SOON_MS = 60_000;

/**
 * Wider than the other pages (its tables have five columns), still inside 1,200 px; long
 * unbroken URLs and errors wrap inside their cells.
 */
const STATUS_STYLE = new SafeHtml(`body{max-width:64rem}
td{overflow-wrap:anywhere;word-break:break-word}
.summary th{width:11rem;white-space:nowrap}.ok{color:#2b7a3d}.busy{color:#8a5a00}
progress{width:8rem;vertical-align:middle}code{font-size:.85rem}
.instance{border:1px solid #ddd;border-radius:6px;padding:0 .8rem .5rem;margin:.8rem 0}
h4{margin:.6rem 0}.followers{margin:.4rem 0;padding-left:1.2rem}
.chart{margin:0}.key{display:inline-block;width:.8rem;height:.8rem;vertical-align:-.1rem}
nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}nav form{margin:0}`);

/** True while a destination is sending, or retries within a minute: the page reloads itself. */
export function deliveringNow(st: StatusReport, now = Date.now()): boolean {
  return st.destinationStates.some(
    (d) =>
      d.state === "sending" ||
      (d.state === "retrying" && d.retryAt !== undefined && Date.parse(d.retryAt) - now <= SOON_MS),
  );
}

function summary(ctx: Context, st: StatusReport): SafeHtml {
  const { sync } = st;
  const rows: [string, SafeHtml | string][] = [
    ["Sidecar", `running (store: ${ctx.store.backend})`],
    ...secretNotes(st, ctx.config),
    [
      "Last sync",
      sync.lastSyncAt
        ? html`${when(sync.lastSyncAt)} (${sync.lastSyncSource ?? "?"}) ${sync.lastSyncError ? html`<span class="error">FAILED: ${sync.lastSyncError}</span>` : "ok"}`
        : "never (run `eleventy-federation sync` or call the deploy hook)",
    ],
    ["Followers", followersSummary(st)],
    [
      "Destinations",
      `${st.destinations} (${st.failing.length} failing, ${st.gaveUp.length} given up)`,
    ],
    ["Outbound log", outboundSummary(st)],
    [
      "Pending",
      `${st.pending} deliveries${st.pendingGaveUp > 0 ? ` (+${st.pendingGaveUp} to given-up destinations)` : ""}`,
    ],
  ];
  return html`<table class="summary">${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>`;
}

/** The entries still going out, each with how many destinations it has reached. */
function fanOut(st: StatusReport, live: boolean): SafeHtml {
  const going = st.recentEntries.filter((e) => e.reached < e.of);
  if (st.fanOutFrom === undefined || going.length === 0) return html``;
  const rows = going.map(
    (e) =>
      html`<tr><td>#${e.seq} ${e.kind}</td><td dir="auto">${e.label.slice(0, 80)}</td><td><progress value="${e.reached}" max="${e.of}"></progress> reached ${e.reached} of ${e.of} destinations</td></tr>`,
  );
  return html`<h2 id="delivering">Deliveries under way</h2>
<p class="step">${live ? `This page reloads every ${REFRESH_SECONDS} s while deliveries are under way.` : "Waiting for retries: reload the page to see them."}</p>
<table class="fan-out"><tr><th>Entry</th><th>What</th><th>Progress</th></tr>${rows}</table>`;
}

/**
 * Everything here from other sites (names, URLs, notice text, errors) is escaped and, as
 * text, cleaned of bidi controls by `html`; cells holding names or notices are isolated
 * (`dir="auto"`, `<bdi>`), so a right-to-left name keeps to its cell.
 */
export async function renderStatus(
  ctx: Context,
  csrf: string,
): Promise<{ body: string; refresh: boolean }> {
  const { store } = ctx;
  const st = await statusReport(store, ctx.config, {
    failures: RECENT,
    speaks: (p) => ctx.transports.get(p) !== undefined,
  });
  const live = deliveringNow(st);
  const requests = await listFollowRequests(store);
  const following = (await store.followed()).sort((a, b) => b.since.localeCompare(a.since));
  const names = new Map(following.map((f) => [f.id, nameOf(f)]));

  const followingRows = following.map(
    (
      f,
    ) => html`<tr data-following="${f.id}"><td dir="auto">${f.protocol === "omb" ? profileCard(f.profile) : html`<bdi>${remoteLink(f.profile.url, nameOf(f))}</bdi>${f.credentials.accepted ? "" : html` <span class="busy">request pending</span>`}`}</td><td>${when(f.since)}</td><td>
<form method="post" action="${publicPath(ctx, OWNER_PATHS.unfollow)}"><input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="uri" value="${f.id}"><button type="submit">Stop following</button></form></td></tr>`,
  );
  const failureRows = st.recentFailures.map(
    (f) =>
      html`<tr><td>${when(f.at)}</td><td>${f.destination}</td><td>${f.subscriber ?? ""}</td><td>${f.status ?? ""}</td><td>${f.error}</td></tr>`,
  );
  const inboxRows = (await store.inbox(RECENT)).map(
    (n) =>
      html`<tr><td>${when(n.receivedAt)}</td><td dir="auto"><bdi>${names.get(n.listeneeUri) ?? n.listeneeUri}</bdi>${n.activitypub?.boostedBy ? html` boosted <bdi>${n.activitypub.author.name}</bdi>` : ""}</td><td dir="auto">${n.activitypub ? new SafeHtml(sanitizeRemoteHtml(n.content)) : n.content}</td><td>${remoteLink(n.url, "open")}</td></tr>`,
  );
  const forms = {
    csrf,
    follow: publicPath(ctx, OWNER_PATHS.follow),
    moderate: publicPath(ctx, OWNER_PATHS.moderate),
    block: publicPath(ctx, OWNER_PATHS.block),
  };
  const fediverse = interactionsSection(forms, {
    notifications: await recentNotifications(store, RECENT),
    replies: (await listReplies(store)).slice(-RECENT * 4),
    blocks: await new Blocks(store).list(),
  });

  const body = page(
    "Federation status",
    html`<style>${STATUS_STYLE}</style>
<nav><a href="${ctx.config.siteUrl}">← Back to the site</a>
<form method="post" action="${publicPath(ctx, OWNER_PATHS.logout)}"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Log out</button></form></nav>
<h1>Federation status of ${ctx.config.siteUrl}</h1>
${summary(ctx, st)}
${fanOut(st, live)}
<h2 id="chart">Deliveries, last ${st.days.length} days</h2>
${deliveryChart(st.days)}
${followersSection(st, requests, { action: publicPath(ctx, OWNER_PATHS.followRequest), csrf })}
<h2 id="failures">Permanent failures</h2>
${table(["When", "Destination", "Subscriber", "HTTP", "Error"], failureRows, "None.")}
${fediverse}
<h2 id="following">Following (${following.length})</h2>
${ctx.config.activitypub.enabled ? followForm(forms) : ""}
${table(["Author", "Since", ""], followingRows, "The site follows nobody yet. Follow a fediverse account above, or type the site's URL into the subscribe form of someone's profile on an OMB service.")}
<h2 id="inbox">Recent notices received</h2>
${table(["Received", "From", "Notice", ""], inboxRows, "No notices received yet.")}`,
  );
  return { body, refresh: live };
}
