import { openStore } from "../../sidecar/store/open.js";
import type { Store } from "../../sidecar/store/store.js";
import { openTestDatabase } from "./test-store.js";

/**
 * Opens a sidecar's store read-only (it must parse), runs `read` on it and closes it: the
 * database the data file was given instead, in a run on PostgreSQL (test-store.ts).
 */
export async function readStore<T>(
  dataFile: string,
  read: (s: Store) => T | Promise<T>,
): Promise<T> {
  const store = await (openTestDatabase(dataFile) ?? openStore(dataFile, { readOnly: true }));
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}
