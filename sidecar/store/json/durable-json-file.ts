/** A lowdb adapter that writes the store's snapshot atomically and, with fsync, durably. */
import { open, readFile, rename } from "node:fs/promises";
import path from "node:path";
import type { Adapter } from "lowdb";
import { PRIVATE_FILE_MODE } from "./private-files.js";

/**
 * A lowdb adapter for the store's snapshot: compact JSON, written atomically (temp file,
 * then rename) and, with `fsync`, durably: the temp file is fsynced before the rename and
 * the directory after it, so a power cut right after a compaction (which then empties the
 * journal) cannot leave an empty or old snapshot behind. lowdb's own JSONFile (steno)
 * renames without fsync. The data is serialised synchronously when `write` is called, so a
 * caller may change it right after. The snapshot is 0600, whatever the mode of the one it replaces.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly #file: string;
  readonly #temp: string;
  readonly #fsync: boolean;

  constructor(file: string, { fsync }: { fsync: boolean }) {
    this.#file = file;
    this.#temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
    this.#fsync = fsync;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.#file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    return JSON.parse(text) as T;
  }

  write(data: T): Promise<void> {
    return this.#write(JSON.stringify(data));
  }

  async #write(text: string): Promise<void> {
    const handle = await open(this.#temp, "w", PRIVATE_FILE_MODE);
    try {
      await handle.chmod(PRIVATE_FILE_MODE); // a temp file left by a crash keeps its old mode
      await handle.writeFile(text, "utf8");
      if (this.#fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.#temp, this.#file);
    if (this.#fsync) {
      const dir = await open(path.dirname(this.#file), "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
  }
}
