/** Adds the timeline and following pages and the `federationTimeline` data, loaded once per build. */

import { cleanRemoteText as clean } from "../../contract/remote-text.js";
import type { EleventyConfig } from "../eleventy-types.js";
import { addSharedGlobalData, type ConfigWithGlobalData } from "../global-data.js";
import type { ResolvedOptions } from "../options.js";
import { sameMark } from "../sanitized.js";
import { addTemplateFormat } from "../templates.js";
import { pullFeeds } from "./feeds.js";
import { type PageLinks, renderFollowing, renderTimeline, standalonePage } from "./html.js";
import { readInbox } from "./inbox.js";
import {
  type ApEntry,
  type FederationTimeline,
  mergeTimeline,
  type TimelineAuthor,
} from "./timeline.js";

/** The global data name templates read the timeline from. */
export const TIMELINE_DATA = "federationTimeline";

/**
 * The template format of the timeline pages: its own, like the plugin's other outputs
 * (templates.ts), so a site that limits `templateFormats` still gets them.
 */
export const TIMELINE_EXTENSION = "eleventy-federation-timeline";

type Data = Record<string, unknown>;

/**
 * Reads the inbox and pulls the feeds at most once per build, however many pages and
 * templates ask: `reset()` (on eleventy.before) starts the next build afresh.
 */
export class TimelineSource {
  #current: Promise<FederationTimeline> | null = null;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly warn: (message: string) => void,
  ) {}

  reset(): void {
    this.#current = null;
  }

  load(): Promise<FederationTimeline> {
    this.#current ??= this.#read();
    return this.#current;
  }

  async #read(): Promise<FederationTimeline> {
    const { inbox, feeds, feedsCache, feedsCacheDirectory } = this.options;
    const [received, pulled] = await Promise.all([
      inbox ? readInbox(inbox, { warn: this.warn }) : null,
      pullFeeds(feeds, { duration: feedsCache, directory: feedsCacheDirectory, warn: this.warn }),
    ]);
    return cleanTimeline(mergeTimeline(received, pulled));
  }
}

/**
 * The timeline with its text fields (not its URLs) cleaned of bidi controls and control
 * characters, so a site's own templates reading `federationTimeline` get clean text too;
 * html.ts cleans again as it renders, whatever it is given. (An ActivityPub post's HTML
 * was cleaned with the rest of it when its entry was made: timeline.ts.)
 */
export function cleanTimeline(t: FederationTimeline): FederationTimeline {
  return {
    entries: t.entries.map((x) => ({
      ...x,
      source: { ...x.source, name: clean(x.source.name) },
      author: cleanAuthor(x.author),
      text: clean(x.text),
      unlinkedUrl: x.unlinkedUrl === null ? null : clean(x.unlinkedUrl),
      ...(x.activitypub ? { activitypub: cleanApEntry(x.activitypub) } : {}),
    })),
    following: t.following.map((p) => ({
      ...p,
      nickname: clean(p.nickname),
      fullname: clean(p.fullname),
      bio: clean(p.bio),
      location: clean(p.location),
    })),
    feeds: t.feeds.map((f) => ({ ...f, name: clean(f.name) })),
  };
}

function cleanAuthor(a: TimelineAuthor): TimelineAuthor {
  return { ...a, name: clean(a.name), nickname: clean(a.nickname) };
}

function cleanApEntry(ap: ApEntry): ApEntry {
  return sameMark(ap, {
    ...ap,
    contentWarning: ap.contentWarning === null ? null : clean(ap.contentWarning),
    boostedBy: ap.boostedBy ? cleanAuthor(ap.boostedBy) : null,
    attachments: ap.attachments.map((a) => ({
      ...a,
      mediaType: clean(a.mediaType),
      name: clean(a.name),
    })),
  });
}

/** Eleventy's pagination object, the parts the page links need. */
interface Pagination {
  pageNumber?: number;
  /** This page's entries (an alias would be the entry itself when perPage is 1). */
  items?: unknown[];
  pages?: unknown[];
  href?: { previous?: string; next?: string };
}

const paginationOf = (data: Data) => (data.pagination ?? {}) as Pagination;

function pageLinks(data: Data): PageLinks {
  const p = paginationOf(data);
  return {
    pageNumber: p.pageNumber ?? 0,
    pageCount: Math.max(1, p.pages?.length ?? 1),
    previous: p.href?.previous ?? null,
    next: p.href?.next ?? null,
  };
}

/**
 * The `federationTimeline` global data, and (when `inbox` or `feeds` is set) the timeline
 * pages, paginated, and the following page, in the site's layout if `timeline.layout` names one.
 */
export function addTimeline(
  eleventyConfig: EleventyConfig,
  options: ResolvedOptions,
  source: TimelineSource,
): void {
  const config = eleventyConfig as ConfigWithGlobalData;
  addSharedGlobalData(eleventyConfig, TIMELINE_DATA, () => source.load());
  // With --serve, a notice arriving (the sidecar rewrites inbox.json) rebuilds the timeline.
  if (options.inbox?.kind === "file") config.addWatchTarget?.(options.inbox.path);
  if (!options.inbox && options.feeds.length === 0) return;

  const { perPage, path, followingPath, layout } = options.timeline;
  const wrap = (title: string, body: string) => (layout ? body : standalonePage(title, body));
  const timelineOf = (data: Data) => data[TIMELINE_DATA] as FederationTimeline;
  const renderers: Record<string, (data: Data) => string> = {
    timeline: (data) =>
      wrap(
        "Timeline",
        renderTimeline(
          (paginationOf(data).items ?? []) as FederationTimeline["entries"],
          pageLinks(data),
          followingPath,
        ),
      ),
    following: (data) => wrap("Following", renderFollowing(timelineOf(data), path)),
  };
  const file = addTemplateFormat(eleventyConfig, TIMELINE_EXTENSION, renderers);
  const common = { layout: layout ?? false, eleventyExcludeFromCollections: true };
  eleventyConfig.addTemplate(file("timeline"), "timeline", {
    ...common,
    title: "Timeline",
    pagination: {
      data: `${TIMELINE_DATA}.entries`,
      size: perPage,
      generatePageOnEmptyData: true,
    },
    permalink: (data: Data) => {
      const n = paginationOf(data).pageNumber ?? 0;
      return n === 0 ? `${path}index.html` : `${path}page/${n + 1}/index.html`;
    },
  });
  eleventyConfig.addTemplate(file("following"), "following", {
    ...common,
    title: "Following",
    permalink: `${followingPath}index.html`,
  });
}
