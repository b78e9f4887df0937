/** The owner's routes: login, the status page, unfollowing, and the signed inbox JSON for remote builds. */
import { Router } from "express";
import {
  HOOK_SIGNATURE_HEADER,
  HOOK_TIMESTAMP_HEADER,
  verifyHook,
} from "../../contract/hook-signature.js";
import { loginRoutes } from "../auth/login.js";
import { formFields, OWNER_PATHS, ownerForm, publicPath, requireOwner } from "../auth/owner.js";
import type { Context } from "../context.js";
import { unfollow } from "../following/unfollow.js";
import { INBOX_JSON_SIGNED_TEXT, inboxExport } from "../inbox/export.js";
import { profileCard, remoteLink } from "../omb/provider-page.js";
import type { Followed } from "../store/types.js";
import { ProtocolError } from "../web/errors.js";
import { html, page, SafeHtml } from "../web/page.js";

/** Rows shown per table on the status page. */
const RECENT = 50;

/**
 * Long unbroken URLs and errors (a destination, a subscriber URI) wrap inside their cells,
 * so the tables (the permanent failures above all) stay as wide as the page.
 */
const STATUS_STYLE = new SafeHtml("td,th{overflow-wrap:anywhere;word-break:break-word}");

/**
 * The owner's pages: login/logout, the status page (who follows the site, whom it follows,
 * how deliveries go, what arrived) and the inbox as JSON for a build elsewhere.
 */
export function adminRoutes(ctx: Context): Router {
  const router = Router();
  const auth = ctx.owner;
  router.use(loginRoutes(ctx));

  router.get(OWNER_PATHS.status, ...requireOwner(ctx), async (req, res) => {
    const csrf = await auth.csrfToken(req, res);
    res
      .status(200)
      .type("html")
      .send(await renderStatus(ctx, csrf));
  });

  router.post(OWNER_PATHS.unfollow, ...ownerForm(ctx), async (_req, res) => {
    await unfollow(ctx, formFields(res).uri ?? "");
    res.redirect(303, publicPath(ctx, OWNER_PATHS.status));
  });

  // Signed like the deploy hook, over the text "GET /admin/inbox.json": a build that holds
  // FEDERATION_HOOK_SECRET can read it, nobody else. Read-only, so a replay inside the
  // five-minute window only repeats an answer; signatures are not remembered.
  router.get(OWNER_PATHS.inboxJson, async (req, res) => {
    const secret = ctx.config.secrets.hookSecret;
    if (!secret) {
      throw new ProtocolError(
        503,
        "The inbox endpoint needs FEDERATION_HOOK_SECRET set in the sidecar's environment.",
      );
    }
    const check = verifyHook(
      secret,
      INBOX_JSON_SIGNED_TEXT,
      req.get(HOOK_TIMESTAMP_HEADER),
      req.get(HOOK_SIGNATURE_HEADER),
    );
    if (!check.ok) throw new ProtocolError(401, `inbox refused: ${check.reason}`);
    const limit = Number(req.query.limit);
    res.set("cache-control", "no-store");
    res.json(
      await inboxExport(ctx.store, Number.isInteger(limit) && limit > 0 ? limit : undefined),
    );
  });
  return router;
}

/** How the owner knows a followed account: its nickname, handle or name. */
function nameOf(f: Followed): string {
  return f.protocol === "omb" ? f.profile.nickname : (f.profile.handle ?? f.profile.name);
}

function when(iso: string | undefined): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "";
}

function table(head: string[], rows: SafeHtml[], empty: string): SafeHtml {
  if (rows.length === 0) return html`<p>${empty}</p>`;
  return html`<table><tr>${head.map((h) => html`<th>${h}</th>`)}</tr>${rows}</table>`;
}

/**
 * Everything here from other sites (names, bios, URLs, notice text, errors) is escaped and,
 * as text, cleaned of bidi controls by `html`; cells holding names or notices are isolated
 * (`dir="auto"`), so a right-to-left name keeps to its cell.
 */
async function renderStatus(ctx: Context, csrf: string): Promise<string> {
  const { store } = ctx;
  const head = await store.headSeq();
  const sync = await store.syncState();
  const following = (await store.followed()).sort((a, b) => b.since.localeCompare(a.since));
  const subscribers = (await store.followers("omb"))
    .filter((f) => f.protocol === "omb")
    .sort((a, b) => b.since.localeCompare(a.since));
  const destinations = (await store.destinations()).sort(
    (a, b) => (b.failingSince ? 1 : 0) - (a.failingSince ? 1 : 0),
  );
  const names = new Map(following.map((f) => [f.id, nameOf(f)]));

  const followingRows = following.map(
    (
      f,
    ) => html`<tr><td dir="auto">${f.protocol === "omb" ? profileCard(f.profile) : remoteLink(f.profile.url, nameOf(f))}</td><td>${when(f.since)}</td><td>
<form method="post" action="${publicPath(ctx, OWNER_PATHS.unfollow)}"><input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="uri" value="${f.id}"><button type="submit">Stop following</button></form></td></tr>`,
  );
  const subscriberRows = subscribers.map(
    (s) =>
      html`<tr><td dir="auto">${remoteLink(s.profile.profile, s.profile.nickname)}</td><td dir="auto">${s.profile.fullname}</td><td>${s.credentials.postNoticeUrl}</td><td>${when(s.since)}</td></tr>`,
  );
  const destinationRows = destinations.map((d) => {
    const state = d.gaveUpAt
      ? html`<span class="error">gave up ${when(d.gaveUpAt)}: ${d.lastError ?? ""}</span>`
      : d.failingSince
        ? html`<span class="error">failing since ${when(d.failingSince)} (${d.attempts} attempts, next ${when(d.retryAt)}): ${d.lastError ?? ""}</span>`
        : "ok";
    return html`<tr><td>${d.url}</td><td>${Math.max(0, head - d.cursor)}</td><td>${state}</td></tr>`;
  });
  const failureRows = (await store.failures(RECENT)).map(
    (f) =>
      html`<tr><td>${when(f.at)}</td><td>${f.destination}</td><td>${f.subscriber ?? ""}</td><td>${f.status ?? ""}</td><td>${f.error}</td></tr>`,
  );
  const inboxRows = (await store.inbox(RECENT)).map(
    (n) =>
      html`<tr><td>${when(n.receivedAt)}</td><td dir="auto">${names.get(n.listeneeUri) ?? n.listeneeUri}</td><td dir="auto">${n.content}</td><td>${remoteLink(n.url, "open")}</td></tr>`,
  );

  return page(
    "Federation status",
    html`<style>${STATUS_STYLE}</style><h1>Federation status of ${ctx.config.siteUrl}</h1>
<form method="post" action="${publicPath(ctx, OWNER_PATHS.logout)}"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Log out</button></form>
<p class="step">Last manifest sync: ${sync.lastSyncAt ? when(sync.lastSyncAt) : "never"}${sync.lastSyncError ? html` — <span class="error">${sync.lastSyncError}</span>` : ""}</p>
<h2>Following (${following.length})</h2>
${table(["Author", "Since", ""], followingRows, "The site follows nobody yet. Type the site's URL into the subscribe form of someone's profile on an OMB service.")}
<h2>Subscribers (${subscribers.length})</h2>
${table(["Nickname", "Name", "Delivered to", "Since"], subscriberRows, "Nobody subscribes to the site yet.")}
<h2>Deliveries</h2>
${table(["Destination", "Pending", "State"], destinationRows, "No destinations.")}
<h2>Permanent failures</h2>
${table(["When", "Destination", "Subscriber", "HTTP", "Error"], failureRows, "None.")}
<h2>Recent notices received</h2>
${table(["Received", "From", "Notice", ""], inboxRows, "No notices received yet.")}`,
  );
}
