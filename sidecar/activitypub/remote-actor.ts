/** A remote actor as the owner and the site's pages see it: bounded fields, http(s) URLs only. */
import type { Actor } from "@fedify/vocab";
import { cleanRemoteText } from "../../contract/remote-text.js";
import type { ActorSummary } from "../store/types.js";

const MAX_URL = 2048;

export const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

/** An http(s) URL within bounds, else undefined (javascript:, data: and the rest are dropped). */
export function safeUrl(u: URL | string | null | undefined): string | undefined {
  const href = u instanceof URL ? u.href : u;
  if (!href || href.length > MAX_URL || !URL.canParse(href)) return undefined;
  const { protocol } = new URL(href);
  return protocol === "https:" || protocol === "http:" ? href : undefined;
}

/** The URL of a property that is a URL or a Link. */
export function hrefOf(v: unknown): string | undefined {
  if (v instanceof URL) return safeUrl(v);
  const href = (v as { href?: unknown } | null)?.href;
  return href instanceof URL ? safeUrl(href) : undefined;
}

/** What the owner is shown of an actor; every field bounded (it comes from their server). */
export async function actorSummary(actor: Actor): Promise<ActorSummary> {
  const id = actor.id?.href ?? "";
  const username = actor.preferredUsername?.toString();
  const icon = await actor.getIcon().catch(() => null);
  const iconUrl = hrefOf(icon?.url);
  const url = hrefOf(actor.url) ?? id;
  const name = cleanRemoteText(actor.name?.toString() ?? username ?? id);
  return {
    id,
    ...(username ? { handle: clip(cleanRemoteText(`${username}@${new URL(id).host}`), 300) } : {}),
    name: clip(name, 255),
    url: clip(url, MAX_URL),
    ...(iconUrl ? { icon: iconUrl } : {}),
  };
}
