/**
 * Where the site's ActivityPub documents live, relative to the sidecar's base URL (the
 * plugin's `sidecarUrl`, the sidecar's `publicUrl`). The plugin links the actor from the home
 * page and writes the static WebFinger fallback; the sidecar mounts Fedify's dispatchers on
 * the templates. One module, so the two halves cannot drift apart.
 *
 * The actor, its collections and every post object live on the sidecar's origin: receivers
 * fetch each id and want AS2 JSON, which a static host cannot negotiate, and Mastodon refuses
 * an Update whose object is on another host than its actor. Each object's `url` is the post's
 * page on the site.
 */
import { createHash } from "node:crypto";

/** Fedify URI templates (RFC 6570 level 1: `{identifier}`, `{id}`). */
export const AP_PATHS = {
  actor: "/ap/users/{identifier}",
  inbox: "/ap/users/{identifier}/inbox",
  outbox: "/ap/users/{identifier}/outbox",
  followers: "/ap/users/{identifier}/followers",
  following: "/ap/users/{identifier}/following",
  sharedInbox: "/ap/inbox",
  /** A post as a Note/Article; `{id}` is `postObjectKey(post uri)`. */
  post: "/ap/posts/{id}",
  /** An activity we sent; `{id}` is `activityKey(...)`: the same activity keeps its id on retry. */
  activity: "/ap/activities/{id}",
} as const;

export type ApPath = keyof typeof AP_PATHS;

/** NodeInfo 2.1 under the sidecar's base URL; `/.well-known/nodeinfo` links to it. */
export const NODEINFO_PATH = "/nodeinfo/2.1";

/** The absolute URL of one AP document; the base's own path is kept (`https://host/fed/`). */
export function apUrl(
  sidecarUrl: string,
  path: ApPath,
  values: { identifier?: string; id?: string } = {},
): string {
  const filled = AP_PATHS[path]
    .replace("{identifier}", encodeURIComponent(values.identifier ?? ""))
    .replace("{id}", encodeURIComponent(values.id ?? ""));
  return sidecarUrl.replace(/\/+$/, "") + filled;
}

/**
 * The stable key of a post's object id: a post URI never changes and is never reused, so its
 * hash names the object for good (32 hex characters of SHA-256: no collisions in practice).
 */
export function postObjectKey(postUri: string): string {
  return createHash("sha256").update(postUri).digest("hex").slice(0, 32);
}

/**
 * The key of one activity: the outbound log's sequence number and what it does
 * (`12-create`), or a follow reply (`accept-<hash of the Follow id>`). Unique per activity,
 * and the same on every retry of it.
 */
export function activityKey(kind: string, source: string | number): string {
  const tail =
    typeof source === "number"
      ? String(source)
      : createHash("sha256").update(source).digest("hex").slice(0, 32);
  return typeof source === "number" ? `${tail}-${kind}` : `${kind}-${tail}`;
}
