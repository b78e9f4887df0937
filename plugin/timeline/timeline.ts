/** The timeline data templates see, merged from the inbox export and the pulled feeds. */
import type { InboxExport } from "../../contract/inbox-export.js";

/**
 * The timeline as templates see it (global data `federationTimeline`): notices from the
 * people the author follows over OMB and entries of pulled feeds, newest first. Every
 * string is plain text as received, unescaped: a template must escape it (Nunjucks with
 * autoescape, `{{ }}` in Liquid with `| escape`). Every URL is http(s) or null.
 */
export interface FederationTimeline {
  /** Newest first. */
  entries: TimelineEntry[];
  /** The people followed over OMB, oldest follow first. */
  following: FollowedProfile[];
  /** The pulled feeds, in the order of the `feeds` option. */
  feeds: PulledFeed[];
}

export interface TimelineEntry {
  /** The notice URI or the feed entry's id: unique within the timeline. */
  id: string;
  /** Where it came from: an OMB service (named by its host) or a pulled feed (its name). */
  source: { kind: "omb" | "feed"; name: string };
  author: TimelineAuthor;
  text: string;
  /** The notice's or entry's page, when it is an http(s) URL. */
  url: string | null;
  /** The URL as received when it is not http(s): shown as text, never linked. */
  unlinkedUrl: string | null;
  /** ISO 8601: when the notice arrived, or the entry's published date. Null if unknown. */
  date: string | null;
}

export interface TimelineAuthor {
  /** Full name, or the nickname when there is none. */
  name: string;
  nickname: string;
  profileUrl: string | null;
  avatar: string | null;
}

export interface FollowedProfile {
  uri: string;
  nickname: string;
  fullname: string;
  bio: string;
  location: string;
  profileUrl: string | null;
  homepage: string | null;
  avatar: string | null;
  license: string;
  since: string;
}

export interface PulledFeed {
  url: string;
  name: string;
  /** The web page the feed belongs to (its `<link>`), when http(s). */
  siteUrl: string | null;
  /** False when this build could not read it (not even from the cache). */
  ok: boolean;
}

export const EMPTY_TIMELINE: FederationTimeline = { entries: [], following: [], feeds: [] };

/** The URL if it is an absolute http(s) URL, else null: nothing else becomes a link or image. */
export function httpUrl(value: string | null | undefined): string | null {
  if (!value || !URL.canParse(value)) return null;
  const { protocol } = new URL(value);
  return protocol === "http:" || protocol === "https:" ? value : null;
}

/** A URL for a link: http(s) ones linked, anything else kept to be shown as text. */
export function linkOrText(value: string): Pick<TimelineEntry, "url" | "unlinkedUrl"> {
  const url = httpUrl(value);
  return { url, unlinkedUrl: url === null && value !== "" ? value : null };
}

function hostOf(url: string | null): string | null {
  return url ? new URL(url).host : null;
}

/** A followed profile's fields, links reduced to http(s). */
export function followedProfile(f: InboxExport["following"][number]): FollowedProfile {
  const p = f.profile;
  return {
    uri: f.uri,
    nickname: p.nickname,
    fullname: p.fullname,
    bio: p.bio,
    location: p.location,
    profileUrl: httpUrl(p.profile) ?? httpUrl(f.uri),
    homepage: httpUrl(p.homepage),
    avatar: httpUrl(p.avatar),
    license: p.license,
    since: f.since,
  };
}

/** The inbox's notices as timeline entries, each with its author's latest profile. */
export function inboxEntries(inbox: InboxExport): TimelineEntry[] {
  const authors = new Map(inbox.following.map((f) => [f.uri, followedProfile(f)]));
  return inbox.inbox.map((n) => {
    const author = authors.get(n.listeneeUri);
    // An author no longer followed keeps their notices, named by their identifier.
    const profileUrl = author?.profileUrl ?? httpUrl(n.listeneeUri);
    return {
      id: n.uri,
      source: { kind: "omb", name: hostOf(profileUrl) ?? "OMB" },
      author: {
        name: author ? author.fullname || author.nickname : n.listeneeUri,
        nickname: author?.nickname ?? "",
        profileUrl,
        avatar: author?.avatar ?? null,
      },
      text: n.content,
      ...linkOrText(n.url || n.uri),
      date: validDate(n.receivedAt),
    };
  });
}

function validDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** Newest first; entries without a date last, in the order given (the sort is stable). */
export function newestFirst(entries: readonly TimelineEntry[]): TimelineEntry[] {
  const time = (e: TimelineEntry) =>
    e.date === null ? Number.NEGATIVE_INFINITY : Date.parse(e.date);
  return [...entries].sort((a, b) => time(b) - time(a) || 0);
}

/** One timeline from the inbox (if any) and the pulled feeds. */
export function mergeTimeline(
  inbox: InboxExport | null,
  pulled: { entries: TimelineEntry[]; feeds: PulledFeed[] },
): FederationTimeline {
  return {
    entries: newestFirst([...(inbox ? inboxEntries(inbox) : []), ...pulled.entries]),
    following: inbox ? inbox.following.map(followedProfile) : [],
    feeds: pulled.feeds,
  };
}
