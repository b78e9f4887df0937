/** An in-memory Store for tests and benchmarks. NOT for production: nothing survives the process. */
import type { Store } from "../store.js";
import type { TableLog } from "../tables/table-log.js";
import { TableStore } from "../tables/table-store.js";
import { type Op, Tables } from "../tables/tables.js";

class MemoryLog implements TableLog {
  readonly tables = new Tables();
  readonly #prune: (t: Tables) => Op[];
  readonly stats = { writes: 0, journalBytes: 0 };

  constructor(prune: (t: Tables) => Op[]) {
    this.#prune = prune;
  }

  commit(ops: readonly Op[]): Promise<void> {
    if (ops.length > 0) this.tables.apply(this.tables.seq + 1, ops);
    return Promise.resolve();
  }

  async compact(): Promise<void> {
    const ops = this.#prune(this.tables);
    if (ops.length > 0) this.tables.apply(this.tables.seq + 1, ops);
  }

  async close(): Promise<void> {}
}

export function openMemoryStore(): Promise<Store> {
  return TableStore.open("memory", async (prune) => new MemoryLog(prune));
}
