/** What a table-backed Store writes through: the JSON engine (journal + snapshot) or memory. */
import type { Op, Tables } from "./tables.js";

export interface TableLog {
  readonly tables: Tables;
  /**
   * Applies the change to `tables` at once (synchronously) and resolves once it is
   * durable; with `durable: false`, once it is written (fsynced later).
   */
  commit(ops: readonly Op[], opts?: { durable?: boolean }): Promise<void>;
  /** Applies `prune(tables)` and folds the log into the base state. */
  compact(): Promise<void>;
  readonly stats: { writes: number; journalBytes: number };
  close(): Promise<void>;
}
