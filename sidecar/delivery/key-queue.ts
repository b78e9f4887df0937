/** A FIFO of destination keys, each queued at most once, with O(1) push and shift. */
export class KeyQueue {
  #items: string[] = [];
  #head = 0;
  readonly #queued = new Set<string>();

  get size(): number {
    return this.#items.length - this.#head;
  }

  has(key: string): boolean {
    return this.#queued.has(key);
  }

  /** False when `key` was queued already. */
  push(key: string): boolean {
    if (this.#queued.has(key)) return false;
    this.#queued.add(key);
    this.#items.push(key);
    return true;
  }

  shift(): string | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const key = this.#items[this.#head++] as string;
    // Drop the consumed front now and then, so a long run does not keep every key ever queued.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.#queued.delete(key);
    return key;
  }
}
