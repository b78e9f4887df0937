/** The timeline data templates see, merged from the inbox export and the pulled feeds. */

import type { ApNoticeFields, InboxExport } from "../../contract/inbox-export.js";
import { cleanRemoteText } from "../../contract/remote-text.js";
import { markSanitized } from "../sanitized.js";
import { htmlText, timelineHtml } from "./remote-html.js";

/**
 * The timeline as templates see it (global data `federationTimeline`): notices from the
 * people the author follows over OMB or ActivityPub and entries of pulled feeds, newest
 * first. Every string is plain text as received, unescaped: a template must escape it
 * (Nunjucks with autoescape, `{{ }}` in Liquid with `| escape`); the one exception is
 * `activitypub.html`, sanitized HTML. Every URL is http(s) or null.
 */
export interface FederationTimeline {
  /** Newest first. */
  entries: TimelineEntry[];
  /** The people followed (OMB and ActivityPub), oldest follow first. */
  following: FollowedProfile[];
  /** The pulled feeds, in the order of the `feeds` option. */
  feeds: PulledFeed[];
}

export interface TimelineEntry {
  /** The notice URI or the feed entry's id: unique within the timeline. */
  id: string;
  /**
   * Where it came from: an OMB service or ActivityPub server (named by the followed
   * account's host) or a pulled feed (its name).
   */
  source: { kind: "omb" | "activitypub" | "feed"; name: string };
  /** For a boost, the original author (the booster is `activitypub.boostedBy`). */
  author: TimelineAuthor;
  /** Plain text; for an ActivityPub notice, the text of its HTML. */
  text: string;
  /** The notice's or entry's page, when it is an http(s) URL. */
  url: string | null;
  /** The URL as received when it is not http(s): shown as text, never linked. */
  unlinkedUrl: string | null;
  /**
   * ISO 8601: when the notice arrived, or the entry's published date. Null if unknown.
   * The timeline's order: an ActivityPub notice's own dates are the sender's word.
   */
  date: string | null;
  /** What only an ActivityPub notice has; absent on OMB notices and feed entries. */
  activitypub?: ApEntry;
}

export interface ApEntry {
  /** The content as HTML cut to Mastodon's allow-list, links http(s) only: output it unescaped. */
  html: string;
  /** The content warning, or null: the post is shown folded under it. */
  contentWarning: string | null;
  /** For a boost: the followed account that boosted the post, and when (ISO 8601 or null). */
  boostedBy: TimelineAuthor | null;
  boostedAt: string | null;
  /** ISO 8601, as the sender gave them; null if absent or not a date. */
  published: string | null;
  /** When it was last edited; null if never. */
  updated: string | null;
  /** Only those with an http(s) URL. */
  attachments: TimelineAttachment[];
}

export interface TimelineAttachment {
  /** http(s). */
  url: string;
  mediaType: string;
  /** Alt text; "" when the author wrote none. */
  name: string;
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
  protocol: "omb" | "activitypub";
  /** An ActivityPub follow request the account has not accepted yet. */
  pending: boolean;
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
    protocol: f.protocol ?? "omb",
    pending: f.pending ?? false,
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
  const followed = new Map(inbox.following.map((f) => [f.uri, followedProfile(f)]));
  return inbox.inbox.map((n) => {
    const profile = followed.get(n.listeneeUri);
    // An author no longer followed keeps their notices, named by their identifier.
    const profileUrl = profile?.profileUrl ?? httpUrl(n.listeneeUri);
    const common = {
      id: n.uri,
      ...linkOrText(n.url || n.uri),
      date: validDate(n.receivedAt),
    };
    if (n.activitypub) {
      const source = { kind: "activitypub" as const, name: hostOf(profileUrl) ?? "ActivityPub" };
      return { ...common, source, ...apNotice(n.content, n.activitypub) };
    }
    return {
      ...common,
      source: { kind: "omb", name: hostOf(profileUrl) ?? "OMB" },
      author: {
        name: profile ? profile.fullname || profile.nickname : n.listeneeUri,
        nickname: profile?.nickname ?? "",
        profileUrl,
        avatar: profile?.avatar ?? null,
      },
      text: n.content,
    };
  });
}

/** An ActivityPub account as a notice names it; its handle without a leading "@". */
function apAuthor(actor: ApNoticeFields["author"]): TimelineAuthor {
  const nickname = (actor.handle ?? "").replace(/^@/, "");
  return {
    name: actor.name || nickname || actor.id,
    nickname,
    profileUrl: httpUrl(actor.url) ?? httpUrl(actor.id),
    avatar: httpUrl(actor.icon),
  };
}

/** The parts of an entry only an ActivityPub notice gives, its HTML sanitized once more. */
function apNotice(
  content: string,
  ap: ApNoticeFields,
): Pick<TimelineEntry, "author" | "text" | "activitypub"> {
  const html = timelineHtml(content);
  return {
    author: apAuthor(ap.author),
    text: htmlText(html),
    activitypub: markSanitized({
      html,
      contentWarning: cleanRemoteText(ap.summary ?? "").trim() || null,
      boostedBy: ap.boostedBy ? apAuthor(ap.boostedBy) : null,
      boostedAt: validDate(ap.boostedAt),
      published: validDate(ap.published),
      updated: validDate(ap.updated),
      attachments: ap.attachments.flatMap((a) => {
        const url = httpUrl(a.url);
        return url ? [{ url, mediaType: a.mediaType, name: a.name ?? "" }] : [];
      }),
    }),
  };
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
