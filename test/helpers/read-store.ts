import { openStore } from "../../sidecar/store/open.js";
import type { Store } from "../../sidecar/store/store.js";

/** Opens a sidecar's store read-only (it must parse), runs `read` on it and closes it. */
export async function readStore<T>(
  dataFile: string,
  read: (s: Store) => T | Promise<T>,
): Promise<T> {
  const store = await openStore(dataFile, { readOnly: true });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}
