/**
 * What a batch of requests wrote to a running sidecar's store: the journal lines appended
 * since a mark, grouped by table and key. Rejected requests must write nothing (but the
 * nonce of a correctly signed one), so each endpoint's check compares these writes with
 * the requests it answered 2xx/3xx.
 */
import { readFile, stat } from "node:fs/promises";

export interface Writes {
  /** table → keys written (a deletion too), in order. */
  byTable: Map<string, string[]>;
  lines: number;
}

/** The journal's current length in bytes: the mark a later `writesSince` reads from. */
export async function journalMark(dataFile: string): Promise<number> {
  try {
    return (await stat(`${dataFile}.journal`)).size;
  } catch {
    return 0;
  }
}

export async function writesSince(dataFile: string, mark: number): Promise<Writes> {
  const text = await readFile(`${dataFile}.journal`);
  if (text.length < mark) {
    throw new Error(
      "the journal shrank (compacted) during the batch: cannot tell what was written",
    );
  }
  const byTable = new Map<string, string[]>();
  const complete = text.subarray(mark).toString("utf8").split("\n").slice(0, -1);
  for (const line of complete) {
    const record = JSON.parse(line) as { o: [string, string, unknown][] };
    for (const [table, key] of record.o) {
      const keys = byTable.get(table) ?? [];
      keys.push(key);
      byTable.set(table, keys);
    }
  }
  return { byTable, lines: complete.length };
}

/** Keys written to `table` (empty if none). */
export function keysIn(w: Writes, table: string): string[] {
  return w.byTable.get(table) ?? [];
}

/** Tables written outside `allowed`, for the failure message; empty when all is well. */
export function unexpectedTables(w: Writes, allowed: readonly string[]): string[] {
  return [...w.byTable.keys()].filter((t) => !allowed.includes(t));
}
