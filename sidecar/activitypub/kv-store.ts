/** Fedify's KvStore over our Store: its caches and idempotence records live beside our state. */
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import type { KvSetOptions, Store } from "../store/store.js";

/** Where Fedify's entries sit among the Store's key–value entries. */
const PREFIX = "fedify:";
const DAY_MS = 24 * 3600_000;
/**
 * Fedify keeps some entries without a TTL (fetched public keys, each origin's signature
 * spec): they expire after this instead, so what remote parties make us cache is bounded.
 * A key that changed meanwhile is refetched anyway when a signature fails with it.
 */
export const DEFAULT_TTL_MS = 7 * DAY_MS;

type Duration = NonNullable<KvStoreSetOptions["ttl"]>;

/** A Temporal.Duration in milliseconds, without needing Temporal (months as 30 days). */
export function durationMs(d: Duration): number {
  const days = d.years * 365 + d.months * 30 + d.weeks * 7 + d.days;
  const seconds = ((days * 24 + d.hours) * 60 + d.minutes) * 60 + d.seconds;
  return seconds * 1000 + d.milliseconds + d.microseconds / 1e3 + d.nanoseconds / 1e6;
}

/** One Store key per Fedify key: the JSON of the key array, which also keeps prefixes listable. */
export function encodeKey(key: KvKey): string {
  return PREFIX + JSON.stringify(key);
}

/**
 * Fedify's entries are caches (remote documents, keys) and records of activity ids seen:
 * written without waiting for fsync, like inbound nonces. A power cut may forget the last
 * second of them; a crash of the process forgets nothing.
 */
function setOptions(options: KvStoreSetOptions | undefined): KvSetOptions {
  const ttlMs = options?.ttl ? durationMs(options.ttl) : DEFAULT_TTL_MS;
  return { ttlMs, durable: false };
}

export class StoreKvStore implements KvStore {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    return (await this.#store.kvGet(encodeKey(key))) as T | undefined;
  }

  set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    return this.#store.kvSet(encodeKey(key), value, setOptions(options));
  }

  delete(key: KvKey): Promise<void> {
    return this.#store.kvDelete(encodeKey(key));
  }

  cas(
    key: KvKey,
    expectedValue: unknown,
    newValue: unknown,
    options?: KvStoreSetOptions,
  ): Promise<boolean> {
    return this.#store.kvCas(encodeKey(key), expectedValue, newValue, setOptions(options));
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    // `["a"]` lists `["a"]` itself and `["a", …]`, not `["ab"]`.
    const exact = prefix ? encodeKey(prefix) : undefined;
    const start = exact ? `${exact.slice(0, -1)},` : PREFIX;
    const entries = await this.#store.kvList(exact ? exact.slice(0, -1) : PREFIX);
    for (const { key, value } of entries) {
      if (key !== exact && !key.startsWith(start)) continue;
      yield { key: JSON.parse(key.slice(PREFIX.length)) as KvKey, value };
    }
  }
}
