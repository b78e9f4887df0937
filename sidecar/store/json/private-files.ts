/** File modes of the store: its files readable by the sidecar's user only (0600), new folders 0700. */
import { mkdir, open, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

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

/**
 * What a data folder the store creates holds first: subscribers' tokens and the site's keys
 * must never reach a repository, and the default folder sits inside the site's project.
 */
export const DATA_FOLDER_GITIGNORE =
  "# Written by eleventy-federation: the sidecar's data (tokens, keys, subscribers) stays out of git.\n*\n";

/**
 * Creates the folder of `dataFile` (0700) when it is missing, with a `.gitignore` that
 * ignores everything in it. An existing folder is left as it is. Returns whether it was made.
 */
export async function makeDataFolder(dataFile: string): Promise<boolean> {
  const dir = path.dirname(dataFile);
  const created = await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir names the first folder it made: only then is `dir` new (and empty).
  if (created === undefined) return false;
  await writeFile(path.join(dir, ".gitignore"), DATA_FOLDER_GITIGNORE, {
    mode: PRIVATE_FILE_MODE,
    flag: "wx",
  });
  return true;
}
