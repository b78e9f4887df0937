/** Every option of the plugin with its documented default, and the resolved options the build uses. */
import { DEFAULT_HOOK_SECRET_ENV } from "../contract/hook-client.js";
import { INTERACTIONS_JSON_PATH } from "../contract/interactions-export.js";
import { sidecarEndpointUrl } from "../contract/public-paths.js";
import { DEFAULT_LICENSE } from "../protocol/omb/constants.js";
import { DEFAULT_NOTICE_TEMPLATE } from "../protocol/omb/notice-text.js";
import { OmbValidationError, validateProfile } from "../protocol/omb/validate.js";
import { type ExportSource, type ExportSourceInput, resolveExportSource } from "./export-reader.js";
import { type Problem, problemsOf } from "./option-rules.js";
import { optionsSchema } from "./options-schema.js";
import {
  type FeedOption,
  type InboxOption,
  type ResolvedTimelineOptions,
  resolveTimelineOptions,
  slashed,
} from "./timeline/options.js";
import { type ResolvedWidgetOptions, resolveWidgetOptions } from "./widgets-options.js";

/**
 * Every option with its default. `siteUrl`, `sidecarUrl` and `profile.nickname` have none:
 * the build stops until they are set. Merged with the user's options, then validated at once.
 */
export const DEFAULT_OPTIONS = {
  /**
   * Required. The absolute http(s) URL the built site is served from (with its path if it
   * lives below the host root). It is the author's profile URL *and* identifier URI on the
   * wire, so it must never change once people follow it. Normalised with a trailing slash.
   */
  siteUrl: "",
  /**
   * Required. The absolute http(s) base URL of the sidecar's public endpoints (the XRDS and
   * the subscribe form point there: `<sidecarUrl>/omb/...`). May equal `siteUrl` when one
   * server serves both.
   */
  sidecarUrl: "",
  profile: {
    /** Required. 1–64 lowercase ASCII letters or digits (what every OMB server accepts). */
    nickname: "",
    /** Up to 255 bytes. */
    fullname: "",
    /** Up to 140 bytes (libomb counts bytes). */
    bio: "",
    /** Up to 255 bytes. */
    location: "",
    /** "" means the site URL. */
    homepage: "",
    /** Absolute URL, or a path on the site such as "/avatar.png"; ideally a 96×96 PNG/JPEG/GIF. */
    avatar: "",
    /** The license of the posts; Laconica 0.6–0.8 refuse subscriptions under any other. */
    license: DEFAULT_LICENSE,
  },
  /** The collection (usually a tag) whose items are the posts. */
  collection: "posts",
  /** See protocol/omb/notice-text.ts: {title} {url} {shortUrl} {siteUrl} {teaser}. */
  noticeTemplate: DEFAULT_NOTICE_TEMPLATE,
  /** Where the short links live: `/s/<id>/`. */
  shortLinkPrefix: "/s/",
  /**
   * One static redirect page per post, used as `{shortUrl}` in notices. Each is a page
   * Eleventy builds (about 0.1 ms each): a very large site may turn them off, and `{shortUrl}`
   * then stands for the post's own URL.
   */
  shortLinks: true,
  /**
   * The site as a fediverse account, `@<nickname>@<site host>`, whose actor the sidecar serves
   * at `<sidecarUrl>/ap/users/<nickname>`. true: the home page links the actor
   * (`rel="alternate"` as application/activity+json, and `rel="me"`), and the build writes
   * static fallbacks for hosts that cannot forward to the sidecar: `/.well-known/webfinger`
   * (this account's JRD, whatever the query), `/.well-known/host-meta` and
   * `/.well-known/nodeinfo` (docs/activitypub-hosting.md). false: none of them.
   */
  activitypub: true,
  /** OpenID 1.x delegation links on the home page: `{ server, delegate }`; null = none. */
  openid: null as { server: string; delegate?: string } | null,
  /**
   * The deploy hook: `{ url, secretEnv }`. After a real build to disk (not serve, watch or
   * toJSON) the plugin POSTs a signed request there so the sidecar reads the new manifest;
   * a failure only warns. `url` defaults to `<sidecarUrl>/hooks/deploy`, `secretEnv` to
   * FEDERATION_HOOK_SECRET (the *name* of the variable holding the secret, never the secret).
   * null = no call (the sidecar can poll the manifest instead).
   */
  hook: null as { url?: string; secretEnv?: string } | null,
  /**
   * The inbox: notices from the people the author follows, rendered on the timeline pages and
   * given to templates as `federationTimeline`. Read once per build. Either
   * `{ file: "federation-data/inbox.json" }`: the `inbox.json` the sidecar writes beside its
   * data file (path relative to where Eleventy runs), for a build on the sidecar's machine; a
   * missing file gives an empty timeline and a warning. Or `{ url: true, secretEnv }`: GET
   * `<sidecarUrl>/admin/inbox.json` (or the URL given), signed with the hook secret read from
   * the variable named by `secretEnv` (default FEDERATION_HOOK_SECRET). null = no inbox.
   */
  inbox: null as InboxOption | null,
  /**
   * RSS/Atom feeds pulled into the same timeline at build time, marked by source:
   * `[{ url, name?, limit? }]`; `name` defaults to the feed's title, `limit` (the latest N
   * entries) to 10. A feed that fails warns and keeps its cached copy, if any.
   */
  feeds: [] as FeedOption[],
  /** How long a fetched feed is reused before it is fetched again (eleventy-fetch duration). */
  feedsCache: "1h",
  /** Where fetched feeds are cached between builds, relative to where Eleventy runs. */
  feedsCacheDirectory: ".cache",
  /**
   * The timeline pages, built when `inbox` or `feeds` is set: `perPage` entries a page
   * (`<path>`, then `<path>page/2/`, ...), the list of followed people at `followingPath`, and
   * `layout`: the name of one of the site's layouts to render them in (null = plain pages).
   */
  timeline: {
    perPage: 20,
    path: "/timeline/",
    followingPath: "/following/",
    layout: null as string | null,
  },
  /**
   * What the fediverse did with the posts: replies the owner approved, likes and boosts,
   * read once per build and given to templates as `federationInteractions` and through the
   * `federationReplies`, `federationCounts` and `federationButtons` shortcodes (the buttons
   * load `/federation/interactions.js`, written by the build). Either
   * `{ file: "federation-data/interactions.json" }`: the `interactions.json` the sidecar writes
   * beside its data file (path relative to where Eleventy runs), for a build on the sidecar's
   * machine; a missing file shows no interactions and warns (unless its folder is missing too).
   * Or `{ url: true, secretEnv }`: GET `<sidecarUrl>/admin/interactions.json` (or the URL
   * given), signed with the hook secret read from the variable named by `secretEnv` (default
   * FEDERATION_HOOK_SECRET). null = none: the shortcodes render nothing, nothing is read and
   * nothing warns.
   */
  interactions: null as ExportSourceInput | null,
  /** The profile card and subscribe form (the shortcodes): see docs/widgets.md. */
  widgets: {
    /**
     * Where the plugin writes a small stylesheet for them (a site path ending in ".css");
     * a page uses it only if its layout links it. null = no stylesheet.
     */
    stylesheet: "/federation/widgets.css" as string | null,
    /**
     * Let the site's image transform (eleventy-img's, for one) rewrite the card's avatar.
     * false: the <img> carries `eleventy:ignore`, which that transform honours and removes,
     * so no build fetches the avatar from its (absolute, often live) URL.
     */
    transformAvatar: false,
  },
};

export type ResolvedProfile = typeof DEFAULT_OPTIONS.profile;

export interface ResolvedOptions extends ResolvedTimelineOptions {
  siteUrl: string;
  sidecarUrl: string;
  profile: ResolvedProfile;
  collection: string;
  noticeTemplate: string;
  shortLinkPrefix: string;
  shortLinks: boolean;
  activitypub: boolean;
  openid: { server: string; delegate: string } | null;
  hook: { url: string; secretEnv: string } | null;
  /** Where the build reads the interactions export; null = none. */
  interactions: ExportSource | null;
  widgets: ResolvedWidgetOptions;
}

export class FederationOptionError extends Error {
  override name = "FederationOptionError";
  /** The first bad option, e.g. "profile.nickname". */
  readonly option: string;

  constructor(readonly problems: readonly Problem[]) {
    super(
      problems
        .map((p) => `eleventy-federation: option "${p.option}" ${p.message}. Fix: ${p.fix}`)
        .join("\n"),
    );
    this.option = problems[0]?.option ?? "";
  }
}

/**
 * The user's options checked (options-schema.ts), merged over the defaults and normalised.
 * Throws one FederationOptionError listing every bad option, each with its fix.
 */
export function resolveOptions(user: unknown): ResolvedOptions {
  const parsed = optionsSchema.safeParse(user);
  if (!parsed.success) throw new FederationOptionError(problemsOf(parsed.error));
  const u = parsed.data;
  const siteUrl = normaliseBaseUrl(u.siteUrl);
  const sidecarUrl = normaliseBaseUrl(u.sidecarUrl);
  const profile = { ...DEFAULT_OPTIONS.profile, ...stripUndefined(u.profile) };
  profile.homepage = profile.homepage === "" ? siteUrl : profile.homepage;
  profile.avatar = profile.avatar.startsWith("/")
    ? new URL(profile.avatar.slice(1), siteUrl).href
    : profile.avatar;
  checkAsOmbProfile(siteUrl, profile);
  return {
    siteUrl,
    sidecarUrl,
    profile,
    collection: u.collection ?? DEFAULT_OPTIONS.collection,
    noticeTemplate: u.noticeTemplate ?? DEFAULT_OPTIONS.noticeTemplate,
    shortLinkPrefix: slashed(u.shortLinkPrefix ?? DEFAULT_OPTIONS.shortLinkPrefix),
    shortLinks: u.shortLinks ?? DEFAULT_OPTIONS.shortLinks,
    activitypub: u.activitypub ?? DEFAULT_OPTIONS.activitypub,
    openid: u.openid ? { server: u.openid.server, delegate: u.openid.delegate ?? "" } : null,
    hook: u.hook
      ? {
          url: u.hook.url || sidecarEndpointUrl(sidecarUrl, "hook"),
          secretEnv: u.hook.secretEnv ?? DEFAULT_HOOK_SECRET_ENV,
        }
      : null,
    ...resolveTimelineOptions(u, sidecarUrl, DEFAULT_OPTIONS),
    interactions: resolveExportSource(u.interactions, sidecarUrl, INTERACTIONS_JSON_PATH),
    widgets: resolveWidgetOptions(u.widgets, DEFAULT_OPTIONS.widgets),
  };
}

/**
 * The profile once more, exactly as it will go on the wire, through the rules receivers
 * apply (protocol/omb/validate.ts): whatever the checks above missed stops the build here.
 */
function checkAsOmbProfile(siteUrl: string, profile: ResolvedProfile): void {
  try {
    validateProfile("listenee", { uri: siteUrl, profile: siteUrl, ...profile });
  } catch (err) {
    if (!(err instanceof OmbValidationError)) throw err;
    const field = err.field.replace(/^omb_listenee_?/, "");
    const option = field === "" || field === "profile" ? "siteUrl" : `profile.${field}`;
    throw new FederationOptionError([
      {
        option,
        message: `would be refused by OMB servers (${err.message})`,
        fix: "change the value",
      },
    ]);
  }
}

/** Scheme and host lowercased, default port dropped, exactly one trailing slash. */
export function normaliseBaseUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname.replace(/\/*$/, "/")}`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
