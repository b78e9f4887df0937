/** Short links: each post's stable short id, its static redirect page, and a per-build collision check. */
import { createHash } from "node:crypto";
import escapeHtml from "escape-html";

/** Crockford's base32 alphabet, lowercase: no i, l, o or u to misread in a notice. */
const BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";
/** 8 base32 characters = 40 bits: a collision among 10,000 posts has odds of about 1 in 20,000. */
const SHORT_ID_LENGTH = 8;
/** What a front-matter `shortId` may look like (it becomes a path segment). */
export const SHORT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * A post's short id: the first 40 bits of SHA-256 over its root-relative URL, in base32.
 * It depends only on the post's path, so it is the same on every build and does not change
 * when the site moves to another host; it changes only if the post's URL does.
 */
export function shortId(postPath: string): string {
  const digest = createHash("sha256").update(postPath).digest();
  let bits = 0;
  let value = 0;
  let id = "";
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && id.length < SHORT_ID_LENGTH) {
      id += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (id.length === SHORT_ID_LENGTH) return id;
    value &= 0xff;
  }
  return id;
}

/** The root-relative path of a short link: `/s/` + id + `/`. */
export function shortLinkPath(prefix: string, id: string): string {
  return `${prefix}${id}/`;
}

/**
 * A static redirect page: meta refresh (works without JavaScript and on any static host),
 * a canonical link so search engines credit the post, and a plain link as fallback.
 */
export function shortLinkHtml(targetUrl: string): string {
  const href = escapeHtml(targetUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Redirecting to ${href}</title>
<link rel="canonical" href="${href}">
<meta http-equiv="refresh" content="0; url=${href}">
<meta name="robots" content="noindex">
</head>
<body>
<p>This short link leads to <a href="${href}">${href}</a>.</p>
</body>
</html>
`;
}

export class ShortIdCollisionError extends Error {
  override name = "ShortIdCollisionError";
}

/**
 * Remembers which post owns which short id within one build and fails on a clash, which
 * would otherwise silently send one post's readers to another.
 */
export class ShortIdRegistry {
  readonly #owners = new Map<string, string>();

  claim(id: string, postPath: string, inputPath: string): void {
    const owner = this.#owners.get(id);
    if (owner === undefined) {
      this.#owners.set(id, postPath);
      return;
    }
    if (owner === postPath) return;
    throw new ShortIdCollisionError(
      `eleventy-federation: the short link id "${id}" of ${postPath} (${inputPath}) is already used by ${owner}. ` +
        `Fix: give one of the two posts its own id in its front matter, e.g. shortId: ${id}2`,
    );
  }
}
