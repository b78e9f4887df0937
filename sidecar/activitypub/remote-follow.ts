/**
 * Remote follow from the subscribe form: a visitor types their fediverse handle
 * (`@user@instance`); WebFinger at their instance gives its remote-follow page (the OStatus
 * `subscribe` template, Mastodon's authorize_interaction), filled with our actor's URL.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { apUrl } from "../../contract/activitypub-paths.js";
import type { Context } from "../context.js";
import { FetchError, type HttpClient } from "../net/client.js";
import { excerpt } from "../net/excerpt.js";
import { profileUnavailable } from "../omb/consumer-failures.js";
import { PageError } from "../web/errors.js";
import { apUrls } from "./urls.js";

export const SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe";
/** A JRD is a few kilobytes (Mastodon's: under 2 KB); more is not a WebFinger answer. */
export const MAX_JRD_BYTES = 64 * 1024;
/** Longest template taken: a remote-follow page's address, not a document. */
const MAX_TEMPLATE_CHARS = 2048;

export interface Handle {
  user: string;
  /** The host as typed, lower-cased, with its port when one was given (loopback only). */
  host: string;
}

/** Input that is not a handle; the message says why, for the visitor. */
export class HandleError extends Error {
  override name = "HandleError";
}

export type RemoteFollowStep =
  | "webfinger"
  | "unknown-account"
  | "jrd"
  | "no-template"
  | "bad-template";

/** WebFinger or its answer failed us; `step` says where, the message what happened. */
export class RemoteFollowError extends Error {
  override name = "RemoteFollowError";
  constructor(
    readonly step: RemoteFollowStep,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when the input is meant as a handle rather than a URL: `@…`, `acct:…` or `x@y` without a scheme. */
export function looksLikeHandle(value: string): boolean {
  return /^(@|acct:)/i.test(value) || (value.includes("@") && !value.includes("://"));
}

const USER = /^[A-Za-z0-9_.~-]{1,64}$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** `@user@host`, `user@host` or `acct:user@host`; a port only on a loopback host (tests). */
export function parseHandle(value: string): Handle {
  const bare = value
    .trim()
    .replace(/^acct:/i, "")
    .replace(/^@/, "");
  const parts = bare.split("@");
  if (parts.length !== 2) {
    throw new HandleError("a handle has the form @you@your.instance, with exactly two @ signs.");
  }
  const [user = "", hostPort = ""] = parts;
  if (!USER.test(user)) {
    throw new HandleError(
      "the user name before the host must be 1 to 64 letters, digits or _ . ~ -.",
    );
  }
  const m = /^([^:]*)(?::(\d{1,5}))?$/.exec(hostPort.toLowerCase());
  const host = m?.[1] ?? "";
  const port = m?.[2];
  if (!m || !isHostname(host)) {
    throw new HandleError(
      `"${hostPort.slice(0, 100)}" is not an instance's host name like mastodon.social.`,
    );
  }
  if (port !== undefined && !isLoopback(host)) {
    throw new HandleError("a handle's host takes no port.");
  }
  return { user, host: port === undefined ? host : `${host}:${port}` };
}

/**
 * A dotted DNS name (labels of letters, digits, inner hyphens; the last not all digits), an
 * IPv4 address, or localhost. A single label is no instance: it would only resolve through
 * the local resolver's search domains.
 */
function isHostname(host: string): boolean {
  if (host === "localhost" || ipaddr.IPv4.isValidFourPartDecimal(host)) return true;
  const labels = host.replace(/\.$/, "").split(".");
  return (
    host.length <= 253 &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l)) &&
    !/^\d+$/.test(labels[labels.length - 1] ?? "")
  );
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  return ipaddr.IPv4.isValidFourPartDecimal(host) && ipaddr.IPv4.parse(host).range() === "loopback";
}

/** The WebFinger query; plain http only for a loopback host when private networks are allowed (tests). */
export function webFingerUrl(handle: Handle, opts: { allowPrivateNetworks: boolean }): string {
  const hostname = handle.host.replace(/:\d+$/, "");
  const scheme = opts.allowPrivateNetworks && isLoopback(hostname) ? "http" : "https";
  const url = new URL(`${scheme}://${handle.host}/.well-known/webfinger`);
  url.searchParams.set("resource", `acct:${handle.user}@${handle.host}`);
  return url.href;
}

const jrdSchema = z.looseObject({ links: z.array(z.unknown()).optional() });
const subscribeLink = z.looseObject({ rel: z.literal(SUBSCRIBE_REL), template: z.string() });

/** The links of a JRD's text; a body that is not a JRD object is a RemoteFollowError. */
function jrdLinks(body: string, host: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new RemoteFollowError("jrd", `${host}'s WebFinger answer is not JSON: ${excerpt(body)}`);
  }
  const jrd = jrdSchema.safeParse(json);
  if (!jrd.success) {
    throw new RemoteFollowError("jrd", `${host}'s WebFinger answer is not a JRD object.`);
  }
  return jrd.data.links ?? [];
}

/** The subscribe template of a JRD's text; links that are not it are skipped, whatever their shape. */
export function subscribeTemplate(body: string, host: string): string {
  for (const link of jrdLinks(body, host)) {
    const found = subscribeLink.safeParse(link);
    if (found.success) return found.data.template;
  }
  throw new RemoteFollowError(
    "no-template",
    `${host} offers no remote-follow page: its WebFinger answer has no ${SUBSCRIBE_REL} template.`,
  );
}

/** The template with `{uri}` filled by our actor's URL; only an http(s) result is taken. */
export function fillTemplate(template: string, actorUrl: string, host: string): string {
  const shown = template.slice(0, 200);
  if (template.length > MAX_TEMPLATE_CHARS || !template.includes("{uri}")) {
    throw new RemoteFollowError(
      "bad-template",
      `${host}'s remote-follow template "${shown}" has no {uri} place for the account to follow.`,
    );
  }
  let url: URL;
  try {
    url = new URL(template.replaceAll("{uri}", encodeURIComponent(actorUrl)));
  } catch {
    throw new RemoteFollowError(
      "bad-template",
      `${host}'s remote-follow template "${shown}" is not a URL.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RemoteFollowError(
      "bad-template",
      `${host}'s remote-follow template "${shown}" is not an http(s) address.`,
    );
  }
  return url.href;
}

/**
 * The visitor's remote-follow URL for `actorUrl`, by WebFinger through our guarded client.
 * Not Fedify's lookupWebFinger: it takes no fetch of ours (so neither our SSRF guard at
 * connect time nor a body cap) and speaks https only, which loopback tests cannot serve.
 */
export async function remoteFollowUrl(
  http: HttpClient,
  handle: Handle,
  actorUrl: string,
  opts: { allowPrivateNetworks: boolean },
): Promise<string> {
  const body = await fetchJrd(http, handle, opts);
  return fillTemplate(subscribeTemplate(body, handle.host), actorUrl, handle.host);
}

const selfLinkSchema = z.looseObject({
  rel: z.literal("self"),
  type: z.string(),
  href: z.string(),
});

/** The actor URL a JRD's text links as `self` (activity+json or ld+json). */
export function selfLink(body: string, host: string): string {
  for (const link of jrdLinks(body, host)) {
    const found = selfLinkSchema.safeParse(link);
    if (found.success && /activity\+json|ld\+json/.test(found.data.type)) return found.data.href;
  }
  throw new RemoteFollowError(
    "jrd",
    `${host}'s WebFinger answer links no ActivityPub actor (rel="self").`,
  );
}

/** The WebFinger answer (JRD text) for `handle`, through our guarded client. */
export async function fetchJrd(
  http: HttpClient,
  handle: Handle,
  opts: { allowPrivateNetworks: boolean },
): Promise<string> {
  const url = webFingerUrl(handle, opts);
  const res = await http
    .get(
      url,
      { accept: "application/jrd+json, application/json" },
      { bodyCaps: [{ maxBytes: MAX_JRD_BYTES, advice: "That is not a WebFinger answer." }] },
    )
    .catch((e: unknown) => {
      if (!(e instanceof FetchError)) throw e;
      throw new RemoteFollowError("webfinger", e.message, { cause: e });
    });
  if (res.status !== 200) {
    const unknown = res.status === 404 || res.status === 410;
    throw new RemoteFollowError(
      unknown ? "unknown-account" : "webfinger",
      `${url} answered HTTP ${res.status}${unknown ? " (no such account there)" : ""}: ${excerpt(res.body) || "no body"}`,
    );
  }
  return res.body;
}

/** The visitor's page per step: [step shown, title, status]; 502: their instance failed us. */
const PAGES: Record<RemoteFollowStep, [string, string, number]> = {
  webfinger: ["WebFinger", "Your instance could not be asked where to follow from", 502],
  "unknown-account": ["WebFinger", "Your instance does not know that account", 400],
  jrd: ["WebFinger answer", "Your instance's WebFinger answer is unreadable", 502],
  "no-template": ["no subscribe template", "Your instance has no remote-follow page", 502],
  "bad-template": ["subscribe template", "Your instance's remote-follow page is unusable", 502],
};

/**
 * One of the site's post object ids (what the Reply, Like and Boost buttons send as `uri`),
 * else undefined: the visitor's instance is only ever handed our own actor or posts.
 */
export function ownPostObject(
  config: Pick<Context["config"], "publicUrl">,
  uri: unknown,
): string | undefined {
  const prefix = apUrl(config.publicUrl, "post", { id: "" });
  if (typeof uri !== "string" || !uri.startsWith(prefix) || !URL.canParse(uri)) return undefined;
  return /^[0-9a-f]{32}$/.test(uri.slice(prefix.length)) ? uri : undefined;
}

/**
 * The subscribe form given a handle: the URL to send the visitor to (their instance's page
 * for our actor, or for `post`, one of our post object ids), or a PageError naming what
 * failed and how to follow anyway (search for our handle on their instance).
 */
export async function remoteFollowRedirect(
  ctx: Context,
  input: string,
  post?: string,
): Promise<string> {
  const { config } = ctx;
  if (!config.activitypub.enabled) {
    throw new PageError(
      400,
      "not an OMB profile URL",
      "This site only takes OMB profile URLs",
      `"${input.slice(0, 100)}" looks like a fediverse handle, but this site is not on ActivityPub: it takes only the address of a profile on an OpenMicroBlogging service.`,
      "Type the full address of your profile on a Laconica or StatusNet service, e.g. https://identi.ca/yourname.",
    );
  }
  const profile = await ctx.siteProfile.current().catch((e: unknown) => {
    throw profileUnavailable((e as Error).message);
  });
  const ours = `@${profile.nickname}@${apUrls(config).handleHost}`;
  const advice = `On your instance, search for ${ours} and follow it from there.`;
  let handle: Handle;
  try {
    handle = parseHandle(input);
  } catch (e) {
    if (!(e instanceof HandleError)) throw e;
    const detail = `"${input.slice(0, 100)}" is not a fediverse handle: ${e.message}`;
    const retype = `Type it as @you@your.instance, or your OMB profile URL. ${advice}`;
    throw new PageError(400, "not a handle", "That is not a handle", detail, retype);
  }
  const actor = apUrl(config.publicUrl, "actor", { identifier: profile.nickname });
  try {
    return await remoteFollowUrl(ctx.http, handle, post ?? actor, config);
  } catch (e) {
    if (!(e instanceof RemoteFollowError)) throw e;
    ctx.log.info({ handle: `${handle.user}@${handle.host}`, step: e.step }, "remote follow failed");
    if (e.cause instanceof FetchError && e.cause.code === "forbidden-address") {
      const detail = `${handle.host} is a private or local network address, which this site never fetches.`;
      throw new PageError(
        400,
        "address refused",
        "That instance cannot be reached from here",
        detail,
        advice,
      );
    }
    const [step, title, status] = PAGES[e.step];
    throw new PageError(status, step, title, e.message, advice);
  }
}
