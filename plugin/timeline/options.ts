import { DEFAULT_HOOK_SECRET_ENV } from "../../contract/hook-client.js";
import { INBOX_JSON_PATH } from "../../contract/inbox-export.js";
import { envName, isRecord, PAGE_PATH, type Problem, show, unknownKeys } from "../options-check.js";

/**
 * The options of the timeline (issue 5): where the inbox comes from (`inbox`), which
 * RSS/Atom feeds are pulled into it (`feeds`, `feedsCache`, `feedsCacheDirectory`) and how
 * its pages look (`timeline`). Checked here, merged in `resolveOptions`; the commented
 * defaults are in DEFAULT_OPTIONS (options.ts).
 */
export interface InboxOption {
  file?: string;
  url?: boolean | string;
  secretEnv?: string;
}

export interface FeedOption {
  url: string;
  name?: string;
  limit?: number;
}

export interface TimelinePagesOption {
  perPage?: number;
  path?: string;
  followingPath?: string;
  layout?: string | null;
}

/** Where the build reads the inbox from: the sidecar's `inbox.json`, or its signed endpoint. */
export type InboxSource =
  | { kind: "file"; path: string }
  | { kind: "url"; url: string; secretEnv: string };

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

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== "string" || !URL.canParse(value)) return false;
  const u = new URL(value);
  return (u.protocol === "http:" || u.protocol === "https:") && u.username === "" && !u.password;
}

function inboxProblems(value: unknown): Problem[] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) {
    return [
      {
        option: "inbox",
        message: `must be an object, got ${show(value)}`,
        fix: 'write inbox: { file: "federation-data/inbox.json" } or inbox: { url: true }',
      },
    ];
  }
  const problems = unknownKeys("inbox.", value, ["file", "url", "secretEnv"]);
  const { file, url, secretEnv } = value;
  const hasFile = file !== undefined;
  const hasUrl = url !== undefined && url !== false;
  if (hasFile && (typeof file !== "string" || file.trim() === "")) {
    problems.push({
      option: "inbox.file",
      message: `must be the path of the sidecar's inbox.json, got ${show(file)}`,
      fix: 'give the path, relative to where Eleventy runs, e.g. "federation-data/inbox.json"',
    });
  }
  if (url !== undefined && typeof url !== "boolean" && !isHttpUrl(url)) {
    problems.push({
      option: "inbox.url",
      message: `must be true or an absolute http(s) URL, got ${show(url)}`,
      fix: `write true for <sidecarUrl>${INBOX_JSON_PATH}, or the whole URL`,
    });
  }
  if (hasFile === hasUrl) {
    problems.push({
      option: "inbox",
      message: hasFile ? "has both file and url" : "needs file or url",
      fix: "use file when the build runs beside the sidecar, url (true) when it runs elsewhere",
    });
  }
  const badEnv = envName("inbox.secretEnv", secretEnv);
  if (badEnv) problems.push({ option: "inbox.secretEnv", ...badEnv });
  return problems;
}

function feedProblems(value: unknown): Problem[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    return [
      {
        option: "feeds",
        message: `must be a list, got ${show(value)}`,
        fix: 'write feeds: [{ url: "https://example.com/feed.xml" }]',
      },
    ];
  }
  return value.flatMap((feed, i): Problem[] => {
    const at = `feeds[${i}]`;
    if (!isRecord(feed)) {
      return [
        {
          option: at,
          message: `must be an object, got ${show(feed)}`,
          fix: 'write { url: "https://example.com/feed.xml", name: "Example", limit: 10 }',
        },
      ];
    }
    const problems = unknownKeys(`${at}.`, feed, ["url", "name", "limit"]);
    if (!isHttpUrl(feed.url)) {
      problems.push({
        option: `${at}.url`,
        message: `must be the absolute http(s) URL of an RSS or Atom feed, got ${show(feed.url)}`,
        fix: 'e.g. "https://example.com/feed.xml"',
      });
    }
    if (feed.name !== undefined && (typeof feed.name !== "string" || feed.name.trim() === "")) {
      problems.push({
        option: `${at}.name`,
        message: `must be non-empty text, got ${show(feed.name)}`,
        fix: "remove it to use the feed's own title",
      });
    }
    if (
      feed.limit !== undefined &&
      !(
        Number.isInteger(feed.limit) &&
        Number(feed.limit) >= 1 &&
        Number(feed.limit) <= MAX_FEED_LIMIT
      )
    ) {
      problems.push({
        option: `${at}.limit`,
        message: `must be a whole number from 1 to ${MAX_FEED_LIMIT}, got ${show(feed.limit)}`,
        fix: `e.g. ${DEFAULT_FEED_LIMIT}`,
      });
    }
    return problems;
  });
}

/** A path between slashes, such as "/timeline/" (slashes added when missing). */
function pagePathProblem(option: string, value: unknown): Problem[] {
  if (value === undefined) return [];
  if (typeof value === "string" && PAGE_PATH.test(value)) return [];
  return [
    {
      option,
      message: `must be a path such as "/timeline/" (letters, digits, ".", "_", "~", "-" between slashes), got ${show(value)}`,
      fix: 'use a short path of your own, e.g. "/timeline/"',
    },
  ];
}

function pagesProblems(value: unknown): Problem[] {
  if (value === undefined) return [];
  if (!isRecord(value)) {
    return [
      {
        option: "timeline",
        message: `must be an object, got ${show(value)}`,
        fix: 'write timeline: { perPage: 20, layout: "base.njk" }',
      },
    ];
  }
  const problems = unknownKeys("timeline.", value, ["perPage", "path", "followingPath", "layout"]);
  const { perPage, layout } = value;
  if (
    perPage !== undefined &&
    !(Number.isInteger(perPage) && Number(perPage) >= 1 && Number(perPage) <= MAX_PER_PAGE)
  ) {
    problems.push({
      option: "timeline.perPage",
      message: `must be a whole number from 1 to ${MAX_PER_PAGE}, got ${show(perPage)}`,
      fix: "e.g. 20",
    });
  }
  problems.push(...pagePathProblem("timeline.path", value.path));
  problems.push(...pagePathProblem("timeline.followingPath", value.followingPath));
  const trimmed = (p: unknown) => (typeof p === "string" ? p.replace(/^\/+|\/+$/g, "") : p);
  if (value.path !== undefined && trimmed(value.path) === trimmed(value.followingPath)) {
    problems.push({
      option: "timeline.followingPath",
      message: `is the same as timeline.path (${show(value.path)})`,
      fix: "give the two pages different paths",
    });
  }
  if (layout !== undefined && layout !== null && (typeof layout !== "string" || layout === "")) {
    problems.push({
      option: "timeline.layout",
      message: `must be the name of one of the site's layouts, or null, got ${show(layout)}`,
      fix: 'e.g. "base.njk"; null renders plain standalone pages',
    });
  }
  return problems;
}

const DURATION = /^(\d+[smhdwy]|\*)$/;

/** Every problem with the timeline options, each naming its option. */
export function timelineOptionProblems(input: Record<string, unknown>): Problem[] {
  const problems = [
    ...inboxProblems(input.inbox),
    ...feedProblems(input.feeds),
    ...pagesProblems(input.timeline),
  ];
  if (
    input.feedsCache !== undefined &&
    (typeof input.feedsCache !== "string" || !DURATION.test(input.feedsCache))
  ) {
    problems.push({
      option: "feedsCache",
      message: `must be a duration such as "30m", "1h" or "1d" (s, m, h, d, w, y; "*" = forever), got ${show(input.feedsCache)}`,
      fix: 'e.g. "1h"; "0s" fetches every build',
    });
  }
  const dir = input.feedsCacheDirectory;
  if (dir !== undefined && (typeof dir !== "string" || dir.trim() === "")) {
    problems.push({
      option: "feedsCacheDirectory",
      message: `must be a directory path, got ${show(dir)}`,
      fix: 'e.g. ".cache" (relative to where Eleventy runs)',
    });
  }
  return problems;
}

/** A page path with exactly one slash at each end: "s" → "/s/". */
export const slashed = (p: string) => `/${p.replace(/^\/+|\/+$/g, "")}/`;

/** The timeline options, known valid (checked by timelineOptionProblems), with defaults. */
export function resolveTimelineOptions(
  input: Record<string, unknown>,
  sidecarUrl: string,
  defaults: TimelineDefaults,
): ResolvedTimelineOptions {
  const inbox = input.inbox as InboxOption | null | undefined;
  const feeds = (input.feeds as FeedOption[] | undefined) ?? [];
  const pages = (input.timeline as TimelinePagesOption | undefined) ?? {};
  let source: InboxSource | null = null;
  if (inbox?.file !== undefined) source = { kind: "file", path: inbox.file };
  else if (inbox?.url) {
    source = {
      kind: "url",
      url:
        typeof inbox.url === "string"
          ? inbox.url
          : sidecarUrl.replace(/\/+$/, "") + INBOX_JSON_PATH,
      secretEnv: inbox.secretEnv ?? DEFAULT_HOOK_SECRET_ENV,
    };
  }
  return {
    inbox: source,
    feeds: feeds.map((f) => ({
      url: f.url,
      name: f.name?.trim() || null,
      limit: f.limit ?? DEFAULT_FEED_LIMIT,
    })),
    feedsCache: (input.feedsCache as string | undefined) ?? defaults.feedsCache,
    feedsCacheDirectory:
      (input.feedsCacheDirectory as string | undefined) ?? defaults.feedsCacheDirectory,
    timeline: {
      perPage: pages.perPage ?? defaults.timeline.perPage,
      path: slashed(pages.path ?? defaults.timeline.path),
      followingPath: slashed(pages.followingPath ?? defaults.timeline.followingPath),
      layout: pages.layout === undefined ? defaults.timeline.layout : pages.layout,
    },
  };
}
