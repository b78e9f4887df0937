/** A remote answer's body as errors and logs keep it: one line, bounded. */

/** Longest piece of a response body kept in errors and logs. */
const BODY_EXCERPT_CHARS = 300;

export function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > BODY_EXCERPT_CHARS ? `${flat.slice(0, BODY_EXCERPT_CHARS)}…` : flat;
}
