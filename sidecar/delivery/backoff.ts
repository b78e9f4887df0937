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

/** How one protocol's failing destinations are retried, and when they are given up. */
export interface RetrySchedule {
  /** The delay before retry number `attempt` (1 = the first retry after one failure). */
  delayMs(attempt: number, opts: { retryAfterMs?: number; random: () => number }): number;
  /** Given up once failing for this long... */
  giveUpAfterDays: number;
  /** ...or after this many failed attempts at one entry, whichever comes first. */
  maxAttempts?: number;
}

/** Exponential backoff with full jitter (OMB's, and the default of any protocol). */
export function exponentialSchedule(policy: BackoffPolicy, giveUpAfterDays: number): RetrySchedule {
  return {
    delayMs: (attempt, opts) => retryDelayMs(attempt, policy, opts),
    giveUpAfterDays,
  };
}

/** The longest single delay of the Mastodon-like schedule, Retry-After included. */
const MASTODON_MAX_DELAY_MS = 86_400_000;

/**
 * Mastodon's delivery retries (AP.md §1): retry n waits (n−1)⁴ + 15 s plus up to 30·n s of
 * jitter, and a destination is given up after 16 retries, about 2.1 days of failing
 * (the 4-day horizon only bounds a receiver's long Retry-After). `firstDelaySeconds`
 * scales the whole curve (15 = Mastodon's; tests shorten it).
 */
export function mastodonSchedule(firstDelaySeconds = 15, retries = 16): RetrySchedule {
  const scale = (firstDelaySeconds / 15) * 1000;
  return {
    delayMs(attempt, { retryAfterMs, random }) {
      const n = Math.max(attempt, 1);
      const delay = Math.floor(scale * ((n - 1) ** 4 + 15 + random() * 30 * n));
      if (retryAfterMs === undefined) return Math.min(delay, MASTODON_MAX_DELAY_MS);
      return Math.min(Math.max(delay, retryAfterMs), MASTODON_MAX_DELAY_MS);
    },
    giveUpAfterDays: 4,
    maxAttempts: retries + 1,
  };
}
