/**
 * "The outbound log grew" between sidecar processes: a sync's transaction NOTIFYs the
 * channel (delivered at commit), and each process holds one pooled connection that LISTENs
 * while someone wants to know (see `Store.onOutbound`). A lost connection is listened on
 * again after a pause; meanwhile the process's own syncs still wake its worker.
 */
import type pg from "pg";

export const OUTBOUND_CHANNEL = "eleventy_federation_outbound";
const RELISTEN_MS = 5_000;

export class OutboundListener {
  readonly #pool: pg.Pool;
  readonly #listeners = new Set<() => void>();
  readonly #onError: (err: Error) => void;
  #client: pg.PoolClient | undefined;
  #connecting: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(pool: pg.Pool, onError: (err: Error) => void) {
    this.#pool = pool;
    this.#onError = onError;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    void this.#listen();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) void this.#stop();
    };
  }

  #listen(): Promise<void> {
    if (this.#client || this.#closed) return Promise.resolve();
    this.#connecting ??= (async () => {
      try {
        const client = await this.#pool.connect();
        client.on("notification", (n) => {
          if (n.channel === OUTBOUND_CHANNEL) for (const l of this.#listeners) l();
        });
        client.on("error", (err) => this.#lost(client, err));
        await client.query(`LISTEN ${OUTBOUND_CHANNEL}`);
        this.#client = client;
        // Entries appended while not listening: one wake-up covers them.
        for (const l of this.#listeners) l();
      } catch (err) {
        this.#onError(err as Error);
        this.#again();
      } finally {
        this.#connecting = undefined;
      }
    })();
    return this.#connecting;
  }

  #lost(client: pg.PoolClient, err: Error): void {
    if (this.#client === client) this.#client = undefined;
    client.release(err);
    this.#onError(err);
    this.#again();
  }

  #again(): void {
    if (this.#closed || this.#listeners.size === 0 || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#listen();
    }, RELISTEN_MS);
    this.#retry.unref();
  }

  async #stop(): Promise<void> {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    await client.query(`UNLISTEN ${OUTBOUND_CHANNEL}`).catch(() => undefined);
    client.release();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#stop();
  }
}
