/**
 * A remote post (Note, Article, Question…) as the site keeps it: content sanitized to
 * Mastodon's allow-list, text cleaned of bidi tricks, attachments as links with alt text,
 * every URL http(s) and bounded. What the timeline and the post pages render comes from here.
 */
import type { DocumentLoader } from "@fedify/fedify";
import { type Object as ApObject, isActor, PUBLIC_COLLECTION } from "@fedify/vocab";
import type { Attachment } from "../../contract/inbox-export.js";
import { cleanRemoteText } from "../../contract/remote-text.js";
import { sanitizeRemoteHtml } from "../../protocol/activitypub/sanitize.js";
import { truncateHtml } from "../../protocol/activitypub/truncate-html.js";
import type { ActorSummary } from "../store/types.js";
import { actorSummary, clip, hrefOf, safeUrl } from "./remote-actor.js";

/** Longest content kept, in bytes of sanitized HTML (Mastodon's own limit is 500 characters of text). */
export const MAX_REMOTE_CONTENT = 20_000;
const MAX_ATTACHMENTS = 8;

export interface RemoteNote {
  id: string;
  url: string;
  author: ActorSummary;
  content: string;
  summary?: string;
  published?: string;
  updated?: string;
  inReplyTo?: string;
  attachments: Attachment[];
}

async function attachmentsOf(note: ApObject, loader: DocumentLoader): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for await (const a of note.getAttachments({ documentLoader: loader, suppressError: true })) {
    if (out.length >= MAX_ATTACHMENTS) break;
    const asObject = a as ApObject & { url?: unknown; mediaType?: string | null };
    // An attachment is an object with a `url` (Mastodon's Document) or a bare Link.
    const url = hrefOf(asObject.url) ?? hrefOf(a);
    if (!url) continue;
    const name = asObject.name?.toString();
    out.push({
      url,
      mediaType: clip(cleanRemoteText(asObject.mediaType ?? ""), 100),
      ...(name ? { name: clip(cleanRemoteText(name), 1500) } : {}),
    });
  }
  return out;
}

/**
 * Addressed to the public (in `to`: public; in `cc`: unlisted). Anything else (followers
 * only, direct) is never put on the site's public pages, whoever approves it.
 */
export function isPublic(o: Pick<ApObject, "toIds" | "ccIds">): boolean {
  return [...o.toIds, ...o.ccIds].some((u) => u.href === PUBLIC_COLLECTION.href);
}

/**
 * The post as kept, or null when it has no id or author we can show. `expectAuthor`: the
 * author must be this actor (a Create or Update speaks for its own posts only).
 */
export async function remoteNote(
  note: ApObject,
  loader: DocumentLoader,
  expectAuthor?: string,
): Promise<RemoteNote | null> {
  const id = safeUrl(note.id);
  const authorId = note.attributionId?.href;
  if (!id || !authorId || (expectAuthor !== undefined && authorId !== expectAuthor)) return null;
  const author = await note
    .getAttribution({ documentLoader: loader, suppressError: true })
    .catch(() => null);
  if (!author || !isActor(author) || author.id?.href !== authorId) return null;
  const summary = note.summary?.toString();
  const inReplyTo = safeUrl(note.replyTargetId);
  return {
    id,
    url: hrefOf(note.url) ?? id,
    author: await actorSummary(author),
    // Cut between elements, the open ones closed, with an ellipsis: never half a tag.
    content: truncateHtml(sanitizeRemoteHtml(note.content?.toString() ?? ""), MAX_REMOTE_CONTENT)
      .html,
    ...(summary ? { summary: clip(cleanRemoteText(summary), 1000) } : {}),
    ...(note.published ? { published: note.published.toString() } : {}),
    ...(note.updated ? { updated: note.updated.toString() } : {}),
    ...(inReplyTo ? { inReplyTo } : {}),
    attachments: await attachmentsOf(note, loader),
  };
}
