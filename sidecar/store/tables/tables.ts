/**
 * The store's state: named tables of JSON records keyed by string. Every change is a list
 * of operations `[table, key, value | null]` applied in one step, which is also exactly
 * what one journal line holds, so replaying the journal rebuilds the same state.
 */
export const TABLES = [
  "meta",
  "followers",
  "destinations",
  "outbound",
  "published",
  "failures",
  "followed",
  "requestTokens",
  "accessTokens",
  "nonces",
  "inbox",
  "pending",
  "kv",
  "daily",
] as const;
export type TableName = (typeof TABLES)[number];

/** `value: null` deletes the key. */
export type Op = readonly [table: TableName, key: string, value: unknown];

/** 2: followers and followed accounts tagged by protocol, destinations keyed by protocol + URL. */
export const SCHEMA_VERSION = 2;

export interface Snapshot {
  schema: number;
  seq: number;
  tables: Partial<Record<TableName, Record<string, unknown>>>;
}

export type ChangeListener = (
  table: TableName,
  key: string,
  before: unknown,
  after: unknown,
) => void;

export class Tables {
  readonly maps: Record<TableName, Map<string, unknown>>;
  /** Sequence number of the last applied change. */
  seq = 0;
  #listeners: ChangeListener[] = [];

  constructor() {
    this.maps = Object.fromEntries(TABLES.map((t) => [t, new Map()])) as Record<
      TableName,
      Map<string, unknown>
    >;
  }

  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
  }

  apply(seq: number, ops: readonly Op[]): void {
    for (const [table, key, value] of ops) {
      const map = this.maps[table];
      if (!map) throw new Error(`unknown table "${table}"`);
      const before = map.get(key);
      if (value === null) map.delete(key);
      else map.set(key, value);
      for (const l of this.#listeners) l(table, key, before, value ?? undefined);
    }
    this.seq = seq;
  }

  get<T>(table: TableName, key: string): T | undefined {
    return this.maps[table].get(key) as T | undefined;
  }

  values<T>(table: TableName): IterableIterator<T> {
    return this.maps[table].values() as IterableIterator<T>;
  }

  size(table: TableName): number {
    return this.maps[table].size;
  }

  toSnapshot(): Snapshot {
    const tables: Snapshot["tables"] = {};
    for (const t of TABLES) tables[t] = Object.fromEntries(this.maps[t]);
    return { schema: SCHEMA_VERSION, seq: this.seq, tables };
  }

  load(snapshot: Snapshot): void {
    for (const t of TABLES) {
      for (const [k, v] of Object.entries(snapshot.tables[t] ?? {}))
        this.apply(snapshot.seq, [[t, k, v]]);
    }
    this.seq = snapshot.seq;
  }
}
