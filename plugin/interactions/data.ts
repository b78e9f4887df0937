/** The `federationInteractions` global data: the export's posts, cleaned, by page URL and by manifest URI; read once per build. */

import type {
  ExportedReply,
  InteractionsExport,
  PostInteractions,
  RemoteActor,
} from "../../contract/interactions-export.js";
import { cleanRemoteText as clean } from "../../contract/remote-text.js";
import { sanitizeRemoteHtml } from "../../protocol/activitypub/sanitize.js";
import type { ResolvedOptions } from "../options.js";
import { absoluteUrl } from "../posts.js";
import { markSanitized, safeHtmlOf } from "../sanitized.js";
import { httpUrl } from "../timeline/timeline.js";
import { readInteractions } from "./read.js";

/** The global data name templates read the interactions from. */
export const INTERACTIONS_DATA = "federationInteractions";

/**
 * What templates get as `federationInteractions`. A post's entry is under its page URL in
 * `byUrl` (twice: absolute as in the export, `https://blog.example/posts/hello/`, and as the
 * site path Eleventy's `page.url` gives, `/posts/hello/`) and under its manifest URI in
 * `byUri`. A post nobody interacted with has no entry.
 */
export interface FederationInteractions {
  /** When the sidecar wrote the export; null when none was read. */
  generated: string | null;
  /** Every post with at least one public interaction, in the export's order. */
  posts: PostInteractions[];
  byUrl: Record<string, PostInteractions>;
  byUri: Record<string, PostInteractions>;
}

export const NO_INTERACTIONS: FederationInteractions = {
  generated: null,
  posts: [],
  byUrl: {},
  byUri: {},
};

/**
 * A remote account with its text cleaned of bidi and control characters (contract/remote-text.ts)
 * and its links kept only when http(s) (anything else becomes "", or no icon).
 */
function cleanActor(a: RemoteActor): RemoteActor {
  const icon = httpUrl(a.icon);
  return {
    id: a.id,
    name: clean(a.name),
    ...(a.handle === undefined ? {} : { handle: clean(a.handle) }),
    url: httpUrl(a.url) ?? "",
    ...(icon ? { icon } : {}),
  };
}

/** The reply's content as safe HTML: as cleaned here, or sanitized now. */
export function safeContent(r: ExportedReply): string {
  return safeHtmlOf(r, r.content, sanitizeRemoteHtml);
}

function cleanReply(r: ExportedReply): ExportedReply {
  return markSanitized({
    ...r,
    url: httpUrl(r.url) ?? "",
    author: cleanActor(r.author),
    // Sanitized by the sidecar already; again here, so that no template shows it unchecked.
    content: sanitizeRemoteHtml(r.content),
    ...(r.summary === undefined ? {} : { summary: clean(r.summary) }),
  });
}

/** One post's interactions as templates get them: text cleaned, content sanitized, links http(s) only. */
export function cleanPostInteractions(p: PostInteractions): PostInteractions {
  return {
    ...p,
    replies: p.replies.map(cleanReply),
    likedBy: p.likedBy.map(cleanActor),
    boostedBy: p.boostedBy.map(cleanActor),
  };
}

/** The page's site path when `url` is on the site (`siteUrl` may have a path), else null. */
function sitePath(url: string, siteUrl: string): string | null {
  return url.startsWith(siteUrl) ? `/${url.slice(siteUrl.length)}` : null;
}

/** The export as global data; the first entry of a post listed twice wins. */
export function indexInteractions(
  exported: InteractionsExport | null,
  siteUrl: string,
): FederationInteractions {
  if (!exported) return NO_INTERACTIONS;
  const posts = exported.posts.map(cleanPostInteractions);
  const byUrl: Record<string, PostInteractions> = {};
  const byUri: Record<string, PostInteractions> = {};
  for (const p of posts) {
    const path = sitePath(p.url, siteUrl);
    for (const key of path ? [p.url, path] : [p.url])
      if (!Object.hasOwn(byUrl, key)) byUrl[key] = p;
    if (!Object.hasOwn(byUri, p.uri)) byUri[p.uri] = p;
  }
  return { generated: exported.generated, posts, byUrl, byUri };
}

/** The absolute URL of a page given as a site path (`/posts/hello/`) or already absolute. */
export function pageUrlOf(url: string, siteUrl: string): string {
  return url.startsWith("/") ? absoluteUrl(siteUrl, url) : url;
}

/** A post's interactions by its page URL (site path or absolute) or its manifest URI, if any. */
export function interactionsOf(
  data: FederationInteractions,
  url: string,
  siteUrl: string,
): PostInteractions | undefined {
  const absolute = pageUrlOf(url, siteUrl);
  const { byUrl, byUri } = data;
  if (Object.hasOwn(byUrl, absolute)) return byUrl[absolute];
  return Object.hasOwn(byUri, absolute) ? byUri[absolute] : undefined;
}

/**
 * Reads the export at most once per build, however many pages ask: `reset()` then `load()`
 * (on eleventy.before, which Eleventy awaits) start each build. `current` is the last one
 * loaded, for the shortcodes, which are synchronous so that they work inside loops.
 */
export class InteractionsSource {
  #loading: Promise<FederationInteractions> | null = null;
  #current: FederationInteractions = NO_INTERACTIONS;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly warn: (message: string) => void,
  ) {}

  reset(): void {
    this.#loading = null;
  }

  load(): Promise<FederationInteractions> {
    this.#loading ??= this.#read().then((data) => {
      this.#current = data;
      return data;
    });
    return this.#loading;
  }

  get current(): FederationInteractions {
    return this.#current;
  }

  async #read(): Promise<FederationInteractions> {
    const { interactions, siteUrl } = this.options;
    if (!interactions) return NO_INTERACTIONS;
    return indexInteractions(await readInteractions(interactions, { warn: this.warn }), siteUrl);
  }
}
