/**
 * Runs `task` once after a burst of `trigger()` calls has been quiet for `delayMs`, but
 * never waits longer than `maxWaitMs` after the first call of the burst (a steady stream
 * of notices must not postpone the work forever). One run at a time: a trigger during a
 * run schedules one more run after it. Timers are unref'd: they never keep the process up.
 */
export class Debouncer {
  #timer: NodeJS.Timeout | null = null;
  #firstAt = 0;
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly delayMs: number,
    private readonly maxWaitMs: number = delayMs * 5,
  ) {}

  trigger(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    const now = Date.now();
    if (!this.#timer) this.#firstAt = now;
    else clearTimeout(this.#timer);
    const wait = Math.max(0, Math.min(this.delayMs, this.#firstAt + this.maxWaitMs - now));
    this.#timer = setTimeout(() => this.#run(), wait);
    this.#timer.unref();
  }

  #run(): void {
    this.#timer = null;
    this.#running = this.task()
      .catch(() => {}) // the task logs its own failures
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.trigger();
        }
      });
  }

  /** Runs a pending task now (if any) and waits for it; later triggers are ignored. */
  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#timer !== null || this.#again;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#again = false;
    await this.#running;
    if (pending) await this.task().catch(() => {});
  }
}
