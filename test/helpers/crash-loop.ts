/**
 * The crash loop of the fan-out crash tests (one per protocol): a real sidecar process on a
 * JSON store in a temp folder, SIGKILLed during its first sync, at start-up and after every
 * `step` deliveries the test counts, restarted until everything arrived; then killed once
 * more and started again until every cursor is at the head. Every loop and wait is bounded.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { FileConfig } from "../../sidecar/config.js";
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
  #current: Served | null = null;
  /** The current process was sent its SIGKILL (alive() stays true until it has exited). */
  #killed = false;
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

  /** SIGKILL the running sidecar now (its exit is awaited where it matters). */
  kill(): void {
    if (this.#killed || !this.#current?.alive()) return;
    this.#killed = true;
    void this.#current.kill();
    this.kills++;
    this.killedAt.push(Date.now());
    this.#sinceKill = 0;
  }

  /** One delivery seen by a receiver: every `step`-th one kills the sidecar, right now. */
  delivered(): void {
    if (this.kills >= (this.#opts.maxKills ?? Number.POSITIVE_INFINITY)) return;
    if (++this.#sinceKill >= this.#opts.step) this.kill();
  }

  /**
   * Starts, kills and restarts the sidecar until `done()`: the first start is killed 15 ms
   * into the sync its deploy hook runs, the second during start-up (the worker's first scan),
   * the others by `delivered()`. Then asserts that it got there with enough kills.
   */
  async run(done: () => boolean): Promise<void> {
    const { maxStarts, minKills } = this.#opts;
    for (let start = 0; start < maxStarts && !done(); start++) {
      const current = await this.#start();
      if (start === 1) this.kill();
      else {
        // the sidecar may be killed while answering
        const hooked = callDeployHook(current.url, SECRET, { source: "crash-test" }).catch(
          () => undefined,
        );
        if (start === 0) setTimeout(() => this.kill(), 15);
        await hooked;
      }
      // (a race with `exited` would leave this wait polling on after a failure)
      await waitFor(() => done() || !current.alive(), "every delivery", 60_000).catch(
        () => undefined,
      );
    }
    assert.ok(done(), `not everything delivered after ${maxStarts} starts (${this.kills} kills)`);
    assert.ok(this.kills >= minKills, `only ${this.kills} kills`);
  }

  /**
   * Kills the last one too (nothing may depend on a clean shutdown); one more start must
   * bring every cursor to the head, resending only what was in flight. Stops it cleanly.
   */
  async catchUp(): Promise<void> {
    this.kill();
    await this.#current?.exited;
    const current = await this.#start();
    const caughtUp = () =>
      readStore(this.dataFile, async (s) => {
        const head = await s.headSeq();
        return (await s.destinations()).every((d) => d.cursor === head);
      });
    await waitFor(caughtUp, "every cursor at the head after the last restart", 60_000);
    await current.stop();
  }

  /** The store at the end: `entries` appended once despite the resyncs, all delivered. */
  async assertStoreDone(entries: number): Promise<void> {
    await readStore(this.dataFile, async (store) => {
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
    await this.#current?.kill();
  }

  async #start(): Promise<Served> {
    this.#killed = false;
    this.#current = await serve(this.configFile, {
      env: { ...process.env, FEDERATION_HOOK_SECRET: SECRET },
    });
    return this.#current;
  }
}
