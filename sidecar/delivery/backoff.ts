/**
 * When to try a failing destination again: exponential backoff with full jitter (a random
 * delay between 0 and the exponential bound), so that destinations that failed together do
 * not all come back in the same second. A receiver's Retry-After is honoured up to the cap.
 */
export interface BackoffPolicy {
  /** Bound of the first retry; each further attempt doubles it. */
  baseDelayMs: number;
  /** No delay exceeds this, Retry-After included. */
  maxDelayMs: number;
}

/** The delay before retry number `attempt` (1 = the first retry after one failure). */
export function retryDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  opts: { retryAfterMs?: number; random?: () => number } = {},
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 60);
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const jittered = Math.floor((opts.random ?? Math.random)() * bound);
  if (opts.retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(opts.retryAfterMs, policy.maxDelayMs));
}

/**
 * A Retry-After header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as milliseconds
 * from `now`; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // HTTP-dates start with the day name; Date.parse alone would take "-5" for a year.
  const date = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
