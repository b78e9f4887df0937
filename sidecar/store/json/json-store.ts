/** The default Store: a lowdb JSON snapshot plus a journal in one folder, nothing to install. */
import type { Store } from "../store.js";
import { TableStore } from "../tables/table-store.js";
import { Engine, type EngineOptions } from "./engine.js";

export type JsonStoreOptions = Omit<EngineOptions, "beforeCompact">;

export function openJsonStore(dataFile: string, opts: JsonStoreOptions = {}): Promise<Store> {
  return TableStore.open("json", (prune) =>
    Engine.open(dataFile, { ...opts, beforeCompact: prune }),
  );
}
