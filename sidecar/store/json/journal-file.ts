/** The store's journal: an append-only JSON-lines file with group commit and deferred fsync. */
import { type FileHandle, open, readFile, truncate } from "node:fs/promises";
import { PRIVATE_FILE_MODE } from "./private-files.js";

/** Lines appended without `sync` are fsynced at the latest this long after being written. */
const LAZY_SYNC_MS = 1000;

/**
 * An append-only file of JSON lines with group commit: every line appended while a write
 * is in flight goes out in the next single write (and fdatasync), so the cost of recording
 * a change is one small append, whatever the size of the store.
 */
export class JournalFile {
  #handle: FileHandle;
  #fsync: boolean;
  #pending: string[] = [];
  #waiters: { resolve: () => void; reject: (e: Error) => void; sync: boolean }[] = [];
  #flushing: Promise<void> | null = null;
  #failed: Error | null = null;
  #paused = false;
  /** Lines written but not yet fsynced (appended with `sync: false`). */
  #unsynced = false;
  #lazySync: NodeJS.Timeout | null = null;
  /** Number of write calls made: what a benchmark reports as "store writes". */
  writes = 0;
  /** Number of fdatasync calls made. */
  syncs = 0;
  bytes = 0;

  private constructor(handle: FileHandle, bytes: number, fsync: boolean) {
    this.#handle = handle;
    this.bytes = bytes;
    this.#fsync = fsync;
  }

  /**
   * Opens (creating) the journal and returns the records in it. A torn last line (the
   * process died mid-append, before the write was acknowledged) is cut off.
   */
  static async open(
    path: string,
    fsync: boolean,
  ): Promise<{ journal: JournalFile; lines: string[] }> {
    const { lines, bytes, torn } = await JournalFile.read(path);
    if (torn) await truncate(path, bytes);
    const handle = await open(path, "a", PRIVATE_FILE_MODE);
    // Like the snapshot, which each compaction rewrites 0600: an older version made both 0644.
    await handle.chmod(PRIVATE_FILE_MODE).catch(() => undefined);
    return { journal: new JournalFile(handle, bytes, fsync), lines };
  }

  /** The complete lines of a journal, without changing it (for read-only use). */
  static async read(path: string): Promise<{ lines: string[]; bytes: number; torn: boolean }> {
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const lines = text.split("\n").slice(0, -1); // text after the last "\n" was never fully written
    const bytes = Buffer.byteLength(lines.join("\n")) + (lines.length > 0 ? 1 : 0);
    return { lines, bytes, torn: bytes !== Buffer.byteLength(text) };
  }

  /**
   * Appends a line; resolves once it is written, and with `sync` (the default) once it is
   * fsynced too. A line appended with `sync: false` survives a crash of the process as soon
   * as it resolves, and a power cut once the next fsync has run: the next synced append's,
   * or at the latest LAZY_SYNC_MS later.
   */
  append(line: string, sync = true): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    this.#pending.push(line);
    const done = new Promise<void>((resolve, reject) =>
      this.#waiters.push({ resolve, reject, sync }),
    );
    if (!this.#paused) this.#flushing ??= this.#flushLoop();
    return done;
  }

  async #flushLoop(): Promise<void> {
    while (this.#pending.length > 0 && !this.#paused) {
      const lines = this.#pending;
      const waiters = this.#waiters;
      this.#pending = [];
      this.#waiters = [];
      try {
        const buffer = Buffer.from(`${lines.join("\n")}\n`);
        let offset = 0;
        while (offset < buffer.length) {
          const { bytesWritten } = await this.#handle.write(buffer, offset);
          offset += bytesWritten;
        }
        this.writes++;
        this.bytes += buffer.length;
        if (this.#fsync && waiters.some((w) => w.sync)) {
          await this.#handle.datasync();
          this.syncs++;
          this.#unsynced = false;
        } else if (this.#fsync) {
          this.#unsynced = true;
          this.#lazySync ??= setTimeout(() => void this.#syncLater(), LAZY_SYNC_MS).unref();
        }
        for (const w of waiters) w.resolve();
      } catch (e) {
        // Memory and disk may now differ: refuse every later write (fail-stop); a restart replays the file.
        this.#failed = new Error(
          `eleventy-federation: journal write failed: ${(e as Error).message}`,
        );
        for (const w of [...waiters, ...this.#waiters]) w.reject(this.#failed);
        this.#waiters = [];
        this.#pending = [];
      }
    }
    this.#flushing = null;
  }

  /** The deadline fsync for lines appended without `sync`, unless a synced append came first. */
  async #syncLater(): Promise<void> {
    this.#lazySync = null;
    if (!this.#unsynced || this.#failed) return;
    this.#unsynced = false;
    this.syncs++;
    await this.#handle.datasync().catch(() => {
      this.#unsynced = true; // retried by the next write; a real disk error fails that write
    });
  }

  /** Waits for every appended line to be written. */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /**
   * Empties the journal once `snapshot` has stored everything written so far. Lines
   * appended meanwhile wait, then go into the emptied journal: none is lost.
   */
  async replaceWith(snapshot: () => Promise<void>): Promise<void> {
    this.#paused = true;
    try {
      await this.drain();
      await snapshot();
      await this.#handle.truncate(0);
      if (this.#fsync) await this.#handle.datasync();
      this.bytes = 0;
    } finally {
      this.#paused = false;
      if (this.#pending.length > 0) this.#flushing ??= this.#flushLoop();
    }
  }

  async close(): Promise<void> {
    await this.drain();
    if (this.#lazySync) clearTimeout(this.#lazySync);
    this.#lazySync = null;
    if (this.#unsynced && !this.#failed) {
      await this.#handle.datasync();
      this.syncs++;
    }
    await this.#handle.close();
  }
}
