/** Pulls RSS/Atom feeds into the timeline at build time: cached, bounded, a failing feed only warns. */
import { Fetch } from "@11ty/eleventy-fetch";
import { parseFeed } from "@rowanmanning/feed-parser";
import { checkXmlCost, FEED_LIMITS } from "../../protocol/omb/xml-limits.js";
import type { ResolvedFeed } from "./options.js";
import { httpUrl, linkOrText, type PulledFeed, type TimelineEntry } from "./timeline.js";

/**
 * Pulling RSS/Atom feeds into the timeline at build time (for people on services without
 * OMB). @11ty/eleventy-fetch caches each feed between builds (in `feedsCacheDirectory`, for
 * `feedsCache`); @rowanmanning/feed-parser normalises RSS and Atom. A feed that fails only
 * warns: the build goes on with its cached copy, or without it.
 */

/** A feed download: bounded in time and size, so one slow or huge feed cannot stall a build. */
const FEED_TIMEOUT_MS = 20_000;
const MAX_FEED_BYTES = 5 * 1024 * 1024;
/** Entry text without a title is cut here: the timeline shows notices, not articles. */
const MAX_TEXT_CHARS = 500;
const USER_AGENT = "eleventy-federation feed puller";

type Feed = ReturnType<typeof parseFeed>;

export interface PullOptions {
  /** eleventy-fetch duration: how long a cached copy is used without fetching. */
  duration: string;
  directory: string;
  warn: (message: string) => void;
}

export interface PulledFeeds {
  entries: TimelineEntry[];
  feeds: PulledFeed[];
}

/** Why a download failed; kept per cache key, since eleventy-fetch hides it behind a fallback. */
const lastErrors = new Map<string, Error>();

export class FeedDownloadError extends Error {
  override name = "FeedDownloadError";
}

/** Fetches the feed's text, refusing what is not a feed (so a broken answer is never cached). */
async function download(url: string): Promise<string> {
  const res = await fetch(url, {
    headers: {
      accept:
        "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
      "user-agent": USER_AGENT,
    },
    signal: AbortSignal.timeout(FEED_TIMEOUT_MS),
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new FeedDownloadError(`HTTP ${res.status}`);
  }
  const text = await readCapped(res);
  parseBounded(text);
  return text;
}

/** parseFeed after the cost pre-scan: a hostile feed is refused in one pass, not parsed. */
function parseBounded(text: string): Feed {
  checkXmlCost(text, FEED_LIMITS, "it");
  return parseFeed(text);
}

async function readCapped(res: Response): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (declared > MAX_FEED_BYTES) {
    await res.body?.cancel();
    throw new FeedDownloadError(`larger than ${MAX_FEED_BYTES} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_FEED_BYTES) throw new FeedDownloadError(`larger than ${MAX_FEED_BYTES} bytes`);
    chunks.push(chunk);
  }
  const charset = /charset="?([\w-]+)/i.exec(res.headers.get("content-type") ?? "")?.[1];
  const bytes = Buffer.concat(chunks);
  try {
    return new TextDecoder(charset ?? "utf-8").decode(bytes);
  } catch {
    // An unknown charset name: UTF-8 is what most feeds are.
    return new TextDecoder("utf-8").decode(bytes);
  }
}

function reason(e: unknown): string {
  const err = e as Error & { cause?: Error; code?: string };
  if (err.code === "INVALID_FEED") return "not an RSS or Atom feed";
  if (err.name === "TimeoutError") return `no answer within ${FEED_TIMEOUT_MS / 1000} s`;
  return err.cause?.message ?? err.message;
}

/** Fetches (or reads from the cache) every feed and turns its latest entries into timeline entries. */
export async function pullFeeds(
  feeds: readonly ResolvedFeed[],
  opts: PullOptions,
): Promise<PulledFeeds> {
  const results = await Promise.all(feeds.map((feed) => pullFeed(feed, opts)));
  return {
    entries: results.flatMap((r) => r.entries),
    feeds: results.map((r) => r.feed),
  };
}

async function pullFeed(
  config: ResolvedFeed,
  opts: PullOptions,
): Promise<{ entries: TimelineEntry[]; feed: PulledFeed }> {
  const label = (name: string) => `eleventy-federation: feed "${name}" (${config.url})`;
  const failed = { url: config.url, name: config.name ?? config.url, siteUrl: null, ok: false };
  // One instance per key in this process (eleventy-fetch keeps them): the key holds what the
  // instance was made with, so a changed duration or folder gets its own.
  const key = JSON.stringify([config.url, opts.directory, opts.duration]);
  const url = config.url;
  const cache = Fetch(
    () =>
      download(url).catch((e: unknown) => {
        lastErrors.set(key, e as Error);
        throw e;
      }),
    { requestId: key, type: "text", duration: opts.duration, directory: opts.directory },
  );
  lastErrors.delete(key);
  let text: string;
  try {
    text = String(await cache.fetch());
  } catch (e) {
    opts.warn(
      `${label(failed.name)} could not be read: ${reason(e)}. It is left out of this build.`,
    );
    return { entries: [], feed: failed };
  }
  let parsed: Feed;
  try {
    parsed = parseBounded(text);
  } catch (e) {
    opts.warn(
      `${label(failed.name)} in the cache is unreadable: ${reason(e)}. It is left out of this build.`,
    );
    return { entries: [], feed: failed };
  }
  const name = config.name ?? parsed.title?.trim() ?? new URL(config.url).host;
  const error = lastErrors.get(key);
  if (error) {
    const at = cache.getCachedTimestamp();
    opts.warn(
      `${label(name)} could not be read: ${reason(error)}. Using the copy cached${at ? ` at ${new Date(at).toISOString()}` : ""}.`,
    );
  }
  return {
    entries: feedEntries(parsed, name, config),
    feed: { url: config.url, name, siteUrl: httpUrl(parsed.url), ok: true },
  };
}

/** The latest `limit` entries of a parsed feed, as timeline entries marked with its name. */
export function feedEntries(feed: Feed, name: string, config: ResolvedFeed): TimelineEntry[] {
  const dated = feed.items.map((item, i) => ({ item, i, date: item.published ?? item.updated }));
  const time = (d: Date | null) => (d ? d.getTime() : Number.NEGATIVE_INFINITY);
  dated.sort((a, b) => time(b.date) - time(a.date) || a.i - b.i);
  const avatar = httpUrl(feed.image?.url);
  const profileUrl = httpUrl(feed.url);
  return dated.slice(0, config.limit).map(({ item, i, date }) => ({
    id: item.id ?? item.url ?? `${config.url}#${i}`,
    source: { kind: "feed", name },
    author: { name: item.authors[0]?.name?.trim() || name, nickname: "", profileUrl, avatar },
    text: entryText(item.title, item.description ?? item.content) || (item.url ?? ""),
    ...linkOrText(item.url ?? ""),
    date: date ? date.toISOString() : null,
  }));
}

/** The title, or else the summary as plain text (the parser has decoded its entities). */
export function entryText(title: string | null, html: string | null): string {
  const t = title?.replace(/\s+/g, " ").trim();
  if (t) return t;
  const plain = (html ?? "")
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...plain];
  return chars.length > MAX_TEXT_CHARS ? `${chars.slice(0, MAX_TEXT_CHARS - 1).join("")}…` : plain;
}
