import { Store } from "../../sidecar/store/store.js";

/** Opens a sidecar's store read-only (it must parse), runs `read` on it and closes it. */
export async function readStore<T>(
  dataFile: string,
  read: (s: Store) => T | Promise<T>,
): Promise<T> {
  const store = await Store.open(dataFile, { readOnly: true });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}
