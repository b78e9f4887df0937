/** Copies one store into another, empty one, and proves the copy reads back the same (`store copy`). */
import { isDeepStrictEqual } from "node:util";
import { DUMP_TABLES, type DumpCounts, dumpCounts, type StoreDump } from "./dump.js";
import type { Store } from "./store.js";

/** The copy could not be made, or does not read back as the source: the message says which. */
export class StoreCopyError extends Error {
  override name = "StoreCopyError";
}

export type CopyStep = "export" | "import" | "verify";

/**
 * Exports `from`, imports that into `to` (refused unless `to` is empty), then exports `to`
 * and compares: one `now` for both exports, so what was unexpired stays so. Resolves to the
 * records copied per list; rejects with a StoreCopyError naming the first list that differs.
 */
export async function copyStore(
  from: Store,
  to: Store,
  onProgress?: (step: CopyStep) => void,
): Promise<DumpCounts> {
  if (!from.exportDump)
    throw new StoreCopyError(`eleventy-federation: the ${from.backend} store cannot be exported`);
  if (!to.importDump || !to.exportDump)
    throw new StoreCopyError(
      `eleventy-federation: the ${to.backend} store cannot be imported into`,
    );
  const now = Date.now();
  onProgress?.("export");
  const source = await from.exportDump({ now });
  onProgress?.("import");
  await to.importDump(source);
  onProgress?.("verify");
  const difference = firstDifference(source, await to.exportDump({ now }));
  if (difference)
    throw new StoreCopyError(
      `eleventy-federation: the copy in the ${to.backend} store does not read back as the source: ${difference}. It was written; remove it before trying again, and report this.`,
    );
  return dumpCounts(source);
}

/** Where two dumps first differ, in words (counts and a position, never a record's content). */
export function firstDifference(a: StoreDump, b: StoreDump): string | undefined {
  for (const field of ["format", "head", "sync"] as const) {
    if (!isDeepStrictEqual(a[field], b[field])) return `${field} differs`;
  }
  for (const list of DUMP_TABLES) {
    const x: unknown[] = a[list];
    const y: unknown[] = b[list];
    if (isDeepStrictEqual(x, y)) continue;
    const at = x.findIndex((record, i) => !isDeepStrictEqual(record, y[i]));
    const where = at >= 0 ? `, first at record ${at + 1}` : "";
    return `${list} differ (the source has ${x.length}, the copy ${y.length}${where})`;
  }
  return undefined;
}
