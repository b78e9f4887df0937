/** The timeline's options: their schema, and their resolved form with defaults. */

import { z } from "zod";
import { INBOX_EXPORT_FILE, INBOX_JSON_PATH } from "../../contract/inbox-export.js";
import { type ExportSource, resolveExportSource } from "../export-reader.js";
import {
  exportSource,
  isHttpUrl,
  nonBlank,
  options,
  pagePath,
  ruled,
  said,
  says,
  show,
  wholeNumber,
} from "../option-rules.js";

/*
 * Where the inbox comes from (`inbox`), which RSS/Atom feeds are pulled into it (`feeds`,
 * `feedsCache`, `feedsCacheDirectory`) and how its pages look (`timeline`). Checked by the
 * schema below (part of options-schema.ts), resolved in `resolveOptions`; the commented
 * defaults are in DEFAULT_OPTIONS (options.ts).
 */

/** Where the build reads the inbox from: the sidecar's `inbox.json`, or its signed endpoint. */
export type InboxSource = ExportSource;

export interface ResolvedFeed {
  url: string;
  /** The name shown as the entries' source; null = the feed's own title. */
  name: string | null;
  limit: number;
}

export interface ResolvedTimelinePages {
  perPage: number;
  path: string;
  followingPath: string;
  /** The site's layout the pages are rendered into; null = a plain standalone page. */
  layout: string | null;
}

export interface ResolvedTimelineOptions {
  inbox: InboxSource | null;
  feeds: ResolvedFeed[];
  feedsCache: string;
  feedsCacheDirectory: string;
  timeline: ResolvedTimelinePages;
}

export interface TimelineDefaults {
  feedsCache: string;
  feedsCacheDirectory: string;
  timeline: ResolvedTimelinePages;
}

/** Feeds pull this many entries unless `limit` says otherwise. */
export const DEFAULT_FEED_LIMIT = 10;
const MAX_FEED_LIMIT = 200;
const MAX_PER_PAGE = 1000;

const httpUrl = (message: string, fix: string) =>
  ruled(z.string({ error: says(message, fix) }), [{ holds: isHttpUrl, message, fix }]);

const inbox = exportSource({
  option: "inbox",
  fileName: INBOX_EXPORT_FILE,
  endpointPath: INBOX_JSON_PATH,
});

const feed = options(
  {
    url: httpUrl(
      "must be the absolute http(s) URL of an RSS or Atom feed",
      'e.g. "https://example.com/feed.xml"',
    ),
    name: nonBlank("must be non-empty text", "remove it to use the feed's own title").optional(),
    limit: wholeNumber(1, MAX_FEED_LIMIT, DEFAULT_FEED_LIMIT).optional(),
  },
  'write { url: "https://example.com/feed.xml", name: "Example", limit: 10 }',
);

const trimmed = (p: string | undefined) => p?.replace(/^\/+|\/+$/g, "");
const timelinePath = pagePath("/timeline/", 'use a short path of your own, e.g. "/timeline/"');

const pages = options(
  {
    perPage: wholeNumber(1, MAX_PER_PAGE, 20).optional(),
    path: timelinePath.optional(),
    followingPath: timelinePath.optional(),
    layout: nonBlank(
      "must be the name of one of the site's layouts, or null",
      'e.g. "base.njk"; null renders plain standalone pages',
    )
      .nullable()
      .optional(),
  },
  'write timeline: { perPage: 20, layout: "base.njk" }',
).superRefine((v, ctx) => {
  if (v.path === undefined || trimmed(v.path) !== trimmed(v.followingPath)) return;
  ctx.addIssue({
    code: "custom",
    path: ["followingPath"],
    message: said(
      `is the same as timeline.path (${show(v.path)})`,
      "give the two pages different paths",
    ),
  });
});

const DURATION = /^(\d+[smhdwy]|\*)$/;
const durationMessage =
  'must be a duration such as "30m", "1h" or "1d" (s, m, h, d, w, y; "*" = forever)';
const durationFix = 'e.g. "1h"; "0s" fetches every build';

/** The timeline's part of the plugin's options schema. */
export const timelineShape = {
  inbox: inbox.nullable().optional(),
  feeds: z
    .array(feed, {
      error: says("must be a list", 'write feeds: [{ url: "https://example.com/feed.xml" }]'),
    })
    .optional(),
  feedsCache: ruled(z.string({ error: says(durationMessage, durationFix) }), [
    { holds: (v) => DURATION.test(v), message: durationMessage, fix: durationFix },
  ]).optional(),
  feedsCacheDirectory: nonBlank(
    "must be a directory path",
    'e.g. ".cache" (relative to where Eleventy runs)',
  ).optional(),
  timeline: pages.optional(),
};

/** A page path with exactly one slash at each end: "s" → "/s/". */
export const slashed = (p: string) => `/${p.replace(/^\/+|\/+$/g, "")}/`;

/** The parsed timeline options with their defaults. */
export function resolveTimelineOptions(
  input: TimelineInput,
  sidecarUrl: string,
  defaults: TimelineDefaults,
): ResolvedTimelineOptions {
  const { inbox, feeds = [], timeline: pages = {} } = input;
  return {
    inbox: resolveExportSource(inbox, sidecarUrl, INBOX_JSON_PATH),
    feeds: feeds.map((f) => ({
      url: f.url,
      name: f.name?.trim() || null,
      limit: f.limit ?? DEFAULT_FEED_LIMIT,
    })),
    feedsCache: input.feedsCache ?? defaults.feedsCache,
    feedsCacheDirectory: input.feedsCacheDirectory ?? defaults.feedsCacheDirectory,
    timeline: {
      perPage: pages.perPage ?? defaults.timeline.perPage,
      path: slashed(pages.path ?? defaults.timeline.path),
      followingPath: slashed(pages.followingPath ?? defaults.timeline.followingPath),
      layout: pages.layout === undefined ? defaults.timeline.layout : pages.layout,
    },
  };
}

type TimelineInput = { [K in keyof typeof timelineShape]?: z.output<(typeof timelineShape)[K]> };
export type InboxOption = z.input<typeof inbox>;
export type FeedOption = z.input<typeof feed>;
export type TimelinePagesOption = z.input<typeof pages>;
