/**
 * What the static site tells the fediverse on its own: the home page's links to the actor,
 * and the fallbacks a static host can serve for the one account (a WebFinger JRD that ignores
 * the query, host-meta naming the sidecar's WebFinger, NodeInfo discovery naming the
 * sidecar's NodeInfo). The sidecar answers the real thing; docs/activitypub-hosting.md says
 * what each host needs.
 */
import escapeHtml from "escape-html";
import { apUrl, NODEINFO_PATH } from "../contract/activitypub-paths.js";
import type { EleventyConfig } from "./eleventy-types.js";
import type { ResolvedOptions } from "./options.js";
import { addTemplateFormat } from "./templates.js";
import { insertIntoHead } from "./yadis-head.js";

/** Where the fallbacks go in the built site (RFC 7033, RFC 6415, NodeInfo). */
export const WEBFINGER_PATH = "/.well-known/webfinger";
export const HOST_META_PATH = "/.well-known/host-meta";
export const NODEINFO_DISCOVERY_PATH = "/.well-known/nodeinfo";
/** The NodeInfo schema the discovery document names. */
const NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1";

/** The template format of the fallbacks' virtual templates (see TEMPLATE_EXTENSION). */
export const ACTIVITYPUB_EXTENSION = "eleventy-federation-activitypub";

export interface ApDiscovery {
  /** The site's URL (the profile, and the host of the handle). */
  siteUrl: string;
  /** The sidecar's public base URL (where the actor lives). */
  sidecarUrl: string;
  nickname: string;
}

export function apDiscovery(options: ResolvedOptions): ApDiscovery {
  const { siteUrl, sidecarUrl, profile } = options;
  return { siteUrl, sidecarUrl, nickname: profile.nickname };
}

export function actorUrl({ sidecarUrl, nickname }: ApDiscovery): string {
  return apUrl(sidecarUrl, "actor", { identifier: nickname });
}

/** `nick@host`: the handle people type on Mastodon (without the leading @). */
export function handle({ siteUrl, nickname }: ApDiscovery): string {
  return `${nickname}@${new URL(siteUrl).host}`;
}

/**
 * The home page's head links: the actor as the page's ActivityPub alternate, and as `me`;
 * and the site itself as `me`, what Mastodon looks for to verify the actor's "Website" field
 * (it compares rel="me" links with the account's `url`, which is the site).
 */
export function activityPubHeadTags(d: ApDiscovery): string {
  const actor = escapeHtml(actorUrl(d));
  return [
    `<link rel="alternate" type="application/activity+json" href="${actor}">`,
    `<link rel="me" href="${actor}">`,
    `<link rel="me" href="${escapeHtml(d.siteUrl)}">`,
  ].join("\n");
}

/**
 * Puts the tags at the end of the page's head; leaves a page alone that already names an
 * ActivityPub alternate (the author did it by hand). Null when the page has no head.
 */
export function injectActivityPubHead(html: string, tags: string): string | null {
  if (/<link[^>]+type=["']?application\/activity\+json/i.test(html)) return html;
  return insertIntoHead(html, tags);
}

/**
 * The JRD for `acct:nick@site-host`, served whatever the query (static hosts ignore it). The
 * subject round-trips: Mastodon follows the self link, reads the actor, and checks its
 * WebFinger again against the same subject.
 */
export function staticWebfinger(d: ApDiscovery): string {
  const actor = actorUrl(d);
  return json({
    subject: `acct:${handle(d)}`,
    aliases: [actor, d.siteUrl],
    links: [
      { rel: "self", type: "application/activity+json", href: actor },
      { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: d.siteUrl },
    ],
  });
}

/**
 * host-meta (RFC 6415) whose LRDD template sends WebFinger lookups to the sidecar: at its
 * host's root, whatever its base path (well-known URIs are, RFC 8615).
 */
export function staticHostMeta(d: ApDiscovery): string {
  const template = `${new URL(d.sidecarUrl).origin}${WEBFINGER_PATH}?resource={uri}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">',
    `  <Link rel="lrdd" type="application/jrd+json" template="${escapeHtml(template)}"/>`,
    "</XRD>",
    "",
  ].join("\n");
}

/** NodeInfo discovery for the site's host, linking the sidecar's NodeInfo 2.1 (under its base path). */
export function staticNodeInfo(d: ApDiscovery): string {
  return json({
    links: [{ rel: NODEINFO_SCHEMA, href: d.sidecarUrl.replace(/\/+$/, "") + NODEINFO_PATH }],
  });
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Why no fallback can be written, or null. A well-known URI is at the host's root (RFC 8615):
 * a site below it (`https://host/blog/`) would put them where nobody asks.
 */
export function fallbackProblem(d: ApDiscovery): string | null {
  const site = new URL(d.siteUrl);
  if (site.pathname === "/") return null;
  return (
    `eleventy-federation: siteUrl ${d.siteUrl} is below its host's root, so the static ` +
    `${WEBFINGER_PATH} for @${handle(d)} would land at ${site.pathname.slice(0, -1)}${WEBFINGER_PATH}, where nobody asks; ` +
    `none is written. Fix: have ${site.host} answer ${WEBFINGER_PATH} at its root (proxy or redirect it to the sidecar, ` +
    "see docs/activitypub-hosting.md), or set activitypub: false to turn this off."
  );
}

/**
 * Adds the three fallbacks as virtual templates (extensionless, as the well-known URIs are),
 * or warns once and adds none when the site is below its host's root.
 */
export function addActivityPubOutputs(
  eleventyConfig: EleventyConfig,
  d: ApDiscovery,
  warn: (message: string) => void,
): void {
  const problem = fallbackProblem(d);
  if (problem) {
    warn(problem);
    return;
  }
  const documents = {
    webfinger: [WEBFINGER_PATH, staticWebfinger(d)],
    "host-meta": [HOST_META_PATH, staticHostMeta(d)],
    nodeinfo: [NODEINFO_DISCOVERY_PATH, staticNodeInfo(d)],
  } as const;
  const path = addTemplateFormat(
    eleventyConfig,
    ACTIVITYPUB_EXTENSION,
    Object.fromEntries(Object.entries(documents).map(([name, [, body]]) => [name, () => body])),
  );
  for (const [name, [permalink]] of Object.entries(documents)) {
    eleventyConfig.addTemplate(path(name), name, {
      layout: false,
      eleventyExcludeFromCollections: true,
      // Eleventy 3 refuses an output without an extension unless told it is meant.
      eleventyAllowMissingExtension: true,
      permalink,
    });
  }
}
