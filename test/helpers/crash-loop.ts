/**
 * The crash loop of the fan-out crash tests: real sidecar processes (one on a JSON store in a
 * temp folder, or several sharing one PostgreSQL database), SIGKILLed during the first sync,
 * at start-up and after every `step` deliveries the test counts (one process at a time, in
 * turn), each restarted until everything arrived; then all killed and one started again
 * until every cursor is at the head. Every loop and wait is bounded.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { FileConfig } from "../../sidecar/config.js";
import { openStore } from "../../sidecar/store/open.js";
import { openPostgresStore } from "../../sidecar/store/postgres/pg-store.js";
import type { Store } from "../../sidecar/store/store.js";
import { callDeployHook } from "./deploy-hook.js";
import { recordSync } from "./fixtures.js";
import { readStore } from "./read-store.js";
import { waitFor } from "./receiver.js";
import { testManifest, writeManifest } from "./receiver-manifest.js";
import { type Served, serve } from "./serve-process.js";

const SECRET = "crash-test-hook-secret";
/** The site's URL, and the sidecar's public URL (the ids it mints start with it). */
export const SITE = "http://site.example/";

export interface CrashLoopOptions {
  /** SIGKILL after this many `delivered()` calls since the last kill. */
  step: number;
  minKills: number;
  /** After this many kills `delivered()` kills no more: the fan-out ends in one go (default: no cap). */
  maxKills?: number;
  maxStarts: number;
  /** Sidecar processes running at once (default 1); more than one needs `databaseUrl`. */
  processes?: number;
  /** A migrated PostgreSQL database the processes share (store.kind "postgres"). */
  databaseUrl?: string;
}

export class CrashLoop {
  kills = 0;
  /** When each SIGKILL was sent (Date.now()). */
  readonly killedAt: number[] = [];
  /** The sidecar's files, in the test's temp folder. */
  readonly dataFile: string;
  readonly manifestFile: string;
  readonly configFile: string;
  readonly #opts: CrashLoopOptions;
  /** The process of each slot, and whether it was sent its SIGKILL (alive() stays true until it has exited). */
  readonly #slots: { proc: Served; killed: boolean }[] = [];
  /** The slot the next kill tries first. */
  #turn = 0;
  #sinceKill = 0;

  constructor(dir: string, opts: CrashLoopOptions) {
    this.dataFile = path.join(dir, "store.json");
    this.manifestFile = path.join(dir, "manifest.json");
    this.configFile = path.join(dir, "config.json");
    this.#opts = opts;
  }

  /** Writes the sidecar's config: fsync on, fast retries, `extra` on top. */
  async writeConfig(
    extra: Partial<FileConfig> & { delivery: { concurrency: number } },
  ): Promise<void> {
    const config: FileConfig = {
      siteUrl: SITE,
      publicUrl: SITE,
      port: 0,
      dataFile: this.dataFile,
      manifest: this.manifestFile,
      allowPrivateNetworks: true,
      logLevel: "warn",
      fsync: true,
      ...(this.#opts.databaseUrl ? { store: { kind: "postgres" } } : {}),
      ...extra,
      delivery: { baseDelaySeconds: 0.05, maxDelaySeconds: 0.2, ...extra.delivery },
    };
    await writeFile(this.configFile, JSON.stringify(config));
  }

  /**
   * Records posts 1 and 2 as already published (the first sync, with the profile) in `seed`,
   * closes it, and writes the manifest with `newPosts` added: what the deploy hook syncs.
   */
  async seedFirstSync(seed: Store, newPosts: number[]): Promise<void> {
    const before = testManifest(SITE, [1, 2]);
    await recordSync(
      seed,
      [],
      before.notices.map((n) => n.uri),
      { initialized: true, profile: { ...before.profile } },
    );
    await seed.close();
    await writeManifest(this.manifestFile, testManifest(SITE, [1, 2, ...newPosts]));
  }

  /** The store the sidecars use, opened for writing (to seed it before the first start). */
  openStore(): Promise<Store> {
    const url = this.#opts.databaseUrl;
    return url ? openPostgresStore(url, { max: 2 }) : openStore(this.dataFile);
  }

  /** The store the sidecars use: its JSON files read-only, or the shared database. */
  async read<T>(fn: (s: Store) => T | Promise<T>): Promise<T> {
    const url = this.#opts.databaseUrl;
    if (!url) return readStore(this.dataFile, fn);
    const store = await openPostgresStore(url, { max: 2 });
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }

  /** SIGKILL one running sidecar now, each in turn (its exit is awaited where it matters). */
  kill(): void {
    const n = this.#slots.length;
    for (let i = 0; i < n; i++) {
      const slot = this.#slots[(this.#turn + i) % n];
      if (!slot || slot.killed || !slot.proc.alive()) continue;
      this.#turn = (this.#turn + i + 1) % n;
      slot.killed = true;
      void slot.proc.kill();
      this.kills++;
      this.killedAt.push(Date.now());
      this.#sinceKill = 0;
      return;
    }
  }

  /** One delivery seen by a receiver: every `step`-th one kills the sidecar, right now. */
  delivered(): void {
    if (this.kills >= (this.#opts.maxKills ?? Number.POSITIVE_INFINITY)) return;
    if (++this.#sinceKill >= this.#opts.step) this.kill();
  }

  /**
   * Starts, kills and restarts sidecars until `done()`, keeping `processes` of them running:
   * the first start is killed 15 ms into the sync its deploy hook runs, the second during
   * start-up (the worker's first scan), the others by `delivered()`; every other start calls
   * the deploy hook again (a resync appends nothing twice). Then asserts that it got there
   * with enough kills.
   */
  async run(done: () => boolean): Promise<void> {
    const { maxStarts, minKills } = this.#opts;
    const processes = this.#opts.processes ?? 1;
    for (let start = 0; start < maxStarts && !done(); ) {
      for (let slot = 0; slot < processes && start < maxStarts && !done(); slot++) {
        if (this.#slots[slot]?.proc.alive()) continue;
        const current = await this.#start(slot);
        if (start === 1) this.kill();
        else {
          // the sidecar may be killed while answering
          const hooked = callDeployHook(current.url, SECRET, { source: "crash-test" }).catch(
            () => undefined,
          );
          if (start === 0) setTimeout(() => this.kill(), 15);
          await hooked;
        }
        start++;
      }
      // (a race with `exited` would leave this wait polling on after a failure)
      const someDead = () => this.#slots.some((s) => !s.proc.alive());
      await waitFor(() => done() || someDead(), "every delivery", 60_000).catch(() => undefined);
    }
    assert.ok(done(), `not everything delivered after ${maxStarts} starts (${this.kills} kills)`);
    assert.ok(this.kills >= minKills, `only ${this.kills} kills`);
  }

  /**
   * Kills the last ones too (nothing may depend on a clean shutdown); one more start must
   * bring every cursor to the head, resending only what was in flight. Stops it cleanly.
   */
  async catchUp(): Promise<void> {
    for (const { proc, killed } of this.#slots.splice(0)) {
      if (!killed && proc.alive()) {
        this.kills++;
        this.killedAt.push(Date.now());
      }
      await proc.kill();
    }
    const current = await this.#start(0);
    const caughtUp = () =>
      this.read(async (s) => {
        const head = await s.headSeq();
        return (await s.destinations()).every((d) => d.cursor === head);
      });
    await waitFor(caughtUp, "every cursor at the head after the last restart", 60_000);
    await current.stop();
  }

  /** The store at the end: `entries` appended once despite the resyncs, all delivered. */
  async assertStoreDone(entries: number): Promise<void> {
    await this.read(async (store) => {
      const head = await store.headSeq();
      assert.equal(head, entries, "each new post appended once, despite the resyncs");
      assert.ok(
        (await store.destinations()).every((d) => d.cursor === head),
        "every cursor at the head",
      );
      assert.deepEqual(await store.failures(), []);
    });
  }

  /** SIGKILLs whatever still runs (the test's clean-up). */
  async close(): Promise<void> {
    for (const { proc } of this.#slots) await proc.kill();
  }

  async #start(slot: number): Promise<Served> {
    const env: NodeJS.ProcessEnv = { ...process.env, FEDERATION_HOOK_SECRET: SECRET };
    if (this.#opts.databaseUrl) env.FEDERATION_DATABASE_URL = this.#opts.databaseUrl;
    const proc = await serve(this.configFile, { env });
    this.#slots[slot] = { proc, killed: false };
    return proc;
  }
}
