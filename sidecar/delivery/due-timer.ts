/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Keys waiting for a time (destinations waiting for their retry), behind ONE timer armed
 * for the earliest: thousands of failing destinations cost one pending timer, not thousands.
 * The timer is unref'd: waiting alone does not keep a process alive.
 */
export class DueTimer {
  readonly #due = new Map<string, number>();
  readonly #fire: (keys: string[]) => void;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;

  /** `fire` gets the keys whose time has come (already removed from the timer). */
  constructor(fire: (keys: string[]) => void) {
    this.#fire = fire;
  }

  has(key: string): boolean {
    return this.#due.has(key);
  }

  set(key: string, at: number): void {
    this.#due.set(key, at);
    if (at < this.#timerAt) this.#arm(at);
  }

  delete(key: string): void {
    this.#due.delete(key);
  }

  clear(): void {
    this.#due.clear();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #arm(at: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now()));
    this.#timer = setTimeout(() => this.#onTimer(), delay);
    this.#timer.unref();
  }

  #onTimer(): void {
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    const ready: string[] = [];
    for (const [key, at] of this.#due) {
      if (at <= now) ready.push(key);
      else next = Math.min(next, at);
    }
    for (const key of ready) this.#due.delete(key);
    if (next < Number.POSITIVE_INFINITY) this.#arm(next);
    if (ready.length > 0) this.#fire(ready);
  }
}
