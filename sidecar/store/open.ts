/** Opens the Store a config names: the JSON files at `dataFile`, or memory for ":memory:" (tests). */
import { type JsonStoreOptions, openJsonStore } from "./json/json-store.js";
import { openMemoryStore } from "./memory/memory-store.js";
import type { Store } from "./store.js";

export function openStore(dataFile: string, opts: JsonStoreOptions = {}): Promise<Store> {
  return dataFile === ":memory:" ? openMemoryStore() : openJsonStore(dataFile, opts);
}
