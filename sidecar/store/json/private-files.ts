/** File modes of the store: its files readable by the sidecar's user only (0600), new folders 0700. */
import { open, readFile } from "node:fs/promises";

/** Every file the store writes: snapshot, its temp file, journal, lock, migration backups. */
export const PRIVATE_FILE_MODE = 0o600;
/** A folder the store creates for its data file (an existing folder is left as it is). */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Copies `src` to `dest` as a 0600 file, also when `dest` exists with a wider mode.
 * fs.copyFile would give the copy the source's mode: a store written by an older version
 * (0644) would leave a world-readable backup.
 */
export async function copyPrivate(src: string, dest: string): Promise<void> {
  const data = await readFile(src);
  const out = await open(dest, "w", PRIVATE_FILE_MODE);
  try {
    await out.chmod(PRIVATE_FILE_MODE);
    await out.writeFile(data);
  } finally {
    await out.close();
  }
}
