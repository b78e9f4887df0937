/**
 * A circuit breaker per receiving host (Mastodon keeps one per inbox: 10 failures, 60 s):
 * after `threshold` failures in a row at one host, sends there fail at once for `openMs`,
 * so a dead instance with many inboxes does not hold delivery slots on timeouts. One
 * success closes it; after `openMs` one attempt goes through (half-open).
 */
export interface BreakerOptions {
  threshold: number;
  openMs: number;
  now?: () => number;
}

export class HostBreaker {
  readonly #opts: Required<BreakerOptions>;
  readonly #hosts = new Map<string, { failures: number; openUntil: number }>();

  constructor(opts: BreakerOptions) {
    this.#opts = { now: Date.now, ...opts };
  }

  /** Milliseconds until `host` may be tried again, or 0 when it may be tried now. */
  blockedFor(host: string): number {
    const h = this.#hosts.get(host);
    if (!h || h.failures < this.#opts.threshold) return 0;
    const left = h.openUntil - this.#opts.now();
    if (left > 0) return left;
    // Half-open: this attempt goes through; another failure opens it again.
    h.openUntil = this.#opts.now() + this.#opts.openMs;
    return 0;
  }

  succeeded(host: string): void {
    this.#hosts.delete(host);
  }

  failed(host: string): void {
    const h = this.#hosts.get(host) ?? { failures: 0, openUntil: 0 };
    h.failures++;
    if (h.failures >= this.#opts.threshold) h.openUntil = this.#opts.now() + this.#opts.openMs;
    this.#hosts.set(host, h);
    // Bounded: the breaker only needs hosts that are failing now.
    if (this.#hosts.size > 10_000) this.#hosts.delete(this.#hosts.keys().next().value as string);
  }
}
