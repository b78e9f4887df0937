/** The JSON backend's durable tables: a lowdb snapshot plus an append-only journal. */
import { Low } from "lowdb";
import type { TableLog } from "../tables/table-log.js";
import { type Op, SCHEMA_VERSION, type Snapshot, Tables } from "../tables/tables.js";
import { DurableJsonFile } from "./durable-json-file.js";
import { JournalFile } from "./journal-file.js";
import { acquireLock } from "./lock.js";
import { type JournalRecord, migrateToCurrent } from "./migrate.js";
import { copyPrivate, makeDataFolder } from "./private-files.js";

export interface EngineOptions {
  /** fdatasync each journal write before acknowledging it (default true). */
  fsync?: boolean;
  /** Fold the journal into the snapshot once it grows past this many bytes (default 16 MiB). */
  compactBytes?: number;
  /**
   * Read the files without taking the lock or changing them (CLI listings while the
   * sidecar runs). Writes are refused.
   */
  readOnly?: boolean;
  /** Called after a compaction, with the state about to be written (to prune it first). */
  beforeCompact?: (tables: Tables) => Op[];
  /**
   * Told about a compaction that failed in the background (disk full, say). Nothing is
   * lost: the journal keeps every change and the next compaction tries again.
   */
  onBackgroundError?: (error: Error) => void;
}

export class StoreCorruptError extends Error {
  override name = "StoreCorruptError";
}

/**
 * Durable tables: a compact lowdb JSON snapshot plus an append-only journal beside it.
 * lowdb alone rewrites the whole file on every change (≈140 ms at 100,000 subscribers);
 * here a change costs one appended line, and the snapshot is rewritten only when the
 * journal has grown. The snapshot is written atomically and durably (DurableJsonFile): a
 * crash at any point leaves a snapshot and a journal that replay to the last acknowledged
 * change. A snapshot of an older schema is migrated on open (the old file kept beside it).
 */
export class Engine implements TableLog {
  readonly tables = new Tables();
  #journal: JournalFile | null = null;
  #snapshot: Low<Snapshot> | null = null;
  #release: (() => Promise<void>) | null = null;
  #compactBytes: number;
  #compacting: Promise<void> | null = null;
  #beforeCompact: EngineOptions["beforeCompact"];
  #onBackgroundError: EngineOptions["onBackgroundError"];
  #readOnly = false;

  private constructor(opts: EngineOptions) {
    this.#compactBytes = opts.compactBytes ?? 16 * 1024 * 1024;
    this.#beforeCompact = opts.beforeCompact;
    this.#onBackgroundError = opts.onBackgroundError;
  }

  static async open(dataFile: string, opts: EngineOptions = {}): Promise<Engine> {
    const engine = new Engine(opts);
    if (opts.readOnly) engine.#readOnly = true;
    else {
      await makeDataFolder(dataFile);
      engine.#release = await acquireLock(dataFile);
    }
    try {
      // Not lowdb's JSONFilePreset: its presets silently switch to memory when NODE_ENV=test.
      engine.#snapshot = new Low<Snapshot>(
        new DurableJsonFile<Snapshot>(dataFile, { fsync: opts.fsync ?? true }),
        { schema: SCHEMA_VERSION, seq: 0, tables: {} },
      );
      try {
        await engine.#snapshot.read();
      } catch (e) {
        throw new StoreCorruptError(
          `eleventy-federation: data file ${dataFile} is not valid JSON (${(e as Error).message}). Restore it from a backup.`,
        );
      }
      const snap = engine.#snapshot.data;
      if (snap.schema > SCHEMA_VERSION) {
        throw new StoreCorruptError(
          `eleventy-federation: data file ${dataFile} has schema ${snap.schema}, newer than this version understands (${SCHEMA_VERSION}). Upgrade eleventy-federation.`,
        );
      }
      const journalPath = `${dataFile}.journal`;
      let lines: string[];
      if (engine.#readOnly) lines = (await JournalFile.read(journalPath)).lines;
      else {
        const opened = await JournalFile.open(journalPath, opts.fsync ?? true);
        engine.#journal = opened.journal;
        lines = opened.lines;
      }
      const records = parseJournal(lines, journalPath);
      if (snap.schema < SCHEMA_VERSION) {
        engine.tables.load(migrateToCurrent(snap, records));
        if (!engine.#readOnly) {
          // The old files stay readable by the old version: a way back if anything is wrong.
          await copyPrivate(dataFile, `${dataFile}.schema${snap.schema}.bak`).catch(
            () => undefined,
          );
          await copyPrivate(journalPath, `${journalPath}.schema${snap.schema}.bak`).catch(
            () => undefined,
          );
          await engine.compact();
        }
        return engine;
      }
      engine.tables.load(snap);
      for (const record of records) {
        if (record.s > engine.tables.seq)
          engine.tables.apply(record.s, record.o as unknown as Op[]);
      }
      // Folding the journal in at start keeps replays short; if it fails, the journal stays.
      if (lines.length > 0)
        await engine.compact().catch((e: unknown) => engine.#onBackgroundError?.(e as Error));
    } catch (e) {
      await engine.close();
      throw e;
    }
    return engine;
  }

  /**
   * Applies the change now and resolves once it is on disk: written and fsynced, or with
   * `durable: false` written (safe from a crash of the process) and fsynced within a second.
   */
  commit(ops: readonly Op[], { durable = true }: { durable?: boolean } = {}): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    if (this.#readOnly)
      return Promise.reject(new Error("eleventy-federation: the store was opened read-only"));
    const seq = this.tables.seq + 1;
    this.tables.apply(seq, ops);
    if (!this.#journal) return Promise.resolve();
    const written = this.#journal.append(JSON.stringify({ s: seq, o: ops }), durable);
    if (this.#journal.bytes > this.#compactBytes && !this.#compacting) {
      this.#compacting = this.compact()
        .catch((e: unknown) => this.#onBackgroundError?.(e as Error))
        .finally(() => {
          this.#compacting = null;
        });
    }
    return written;
  }

  /** Writes the whole state as the new snapshot and empties the journal. */
  async compact(): Promise<void> {
    const journal = this.#journal;
    const snapshot = this.#snapshot;
    if (!journal || !snapshot) return;
    const prune = this.#beforeCompact?.(this.tables) ?? [];
    if (prune.length > 0) this.tables.apply(this.tables.seq + 1, prune);
    snapshot.data = this.tables.toSnapshot();
    const write = snapshot.write(); // serialises synchronously, before any later change
    // Awaited below, after the journal drains: a failure before then must not count as unhandled.
    write.catch(() => undefined);
    snapshot.data = { schema: SCHEMA_VERSION, seq: 0, tables: {} }; // let the copy be collected
    await journal.replaceWith(() => write);
  }

  /** Journal write calls and bytes since start: what benchmarks report. */
  get stats(): { writes: number; journalBytes: number } {
    return { writes: this.#journal?.writes ?? 0, journalBytes: this.#journal?.bytes ?? 0 };
  }

  async close(): Promise<void> {
    await this.#compacting;
    await this.#journal?.close();
    this.#journal = null;
    await this.#release?.();
    this.#release = null;
  }
}

/** The journal's lines as records; a damaged line stops the open with what to do. */
function parseJournal(lines: string[], journalPath: string): JournalRecord[] {
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as JournalRecord;
    } catch {
      throw new StoreCorruptError(
        `eleventy-federation: ${journalPath} line ${i + 1} is damaged. Move the file aside to start from the snapshot (changes after it are lost).`,
      );
    }
  });
}
