/**
 * Records whose remote HTML the plugin sanitized while reading an export (timeline entries,
 * replies): a renderer outputs theirs as it is and sanitizes any other record it is given, so
 * the HTML is sanitized once per build whatever the page count, and a renderer still trusts
 * nothing it did not see sanitized (sanitizing 10,000 replies twice was a fifth of a build).
 */
const sanitized = new WeakSet<object>();

/** Marks `record` as holding sanitized HTML; returns it. */
export function markSanitized<T extends object>(record: T): T {
  sanitized.add(record);
  return record;
}

/** `html` of `record` as safe HTML: as it is when `record` was marked, else through `sanitize`. */
export function safeHtmlOf(
  record: object,
  html: string,
  sanitize: (html: string) => string,
): string {
  return sanitized.has(record) ? html : sanitize(html);
}

/** `copy` (of `from`, with its HTML unchanged) marked as `from` is. */
export function sameMark<T extends object>(from: object, copy: T): T {
  if (sanitized.has(from)) sanitized.add(copy);
  return copy;
}
