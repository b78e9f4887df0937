/** One sync (read the manifest, diff, record in one step) and the Syncer that serialises them. */
import type { Context } from "../context.js";
import { SyncConflictError } from "../store/store.js";
import type { SyncState } from "../store/types.js";
import { checkBuiltManifest, ManifestRunModeError, readManifest } from "./manifest-source.js";
import { planSync } from "./plan.js";

export type SyncDeps = Pick<
  Context,
  "config" | "store" | "siteHttp" | "log" | "events" | "transports"
>;

export interface SyncResult {
  /** "first-sync": notices recorded as published, nothing sent; "not-modified": 304 / same file. */
  outcome: "first-sync" | "synced" | "not-modified";
  newNotices: number;
  /** Edited posts sent out again (by the protocols that carry edits). */
  updated: number;
  /** Removed posts announced (by the protocols that carry removals). */
  removed: number;
  /** Removals held back: most posts vanished at once; `sync --confirm-removals` applies them. */
  removalsHeld?: number;
  /** Notices recorded as already published (the first sync). */
  archived: number;
  /** Profile fields that changed (an updateProfile was queued when non-empty). */
  profileChanged: string[];
  rejected: { uri: string; reason: string }[];
  profileError?: string;
  /** Destinations the new entries go to (given-up ones not counted). */
  destinations: number;
  /** Sequence numbers of the appended entries. */
  seqs: number[];
}

export interface SyncOptions {
  /**
   * Send the stored ETag / Last-Modified (a poll: an unchanged site costs a 304). A hook or a
   * command reads in full: its caller says the site changed, and validators with one-second
   * resolution could hide a deploy made within the second of the last one.
   */
  conditional?: boolean;
  /** Apply removals even when most of the site's posts vanished at once. */
  confirmRemovals?: boolean;
}

/** Plans of one sync made at most: each again after another process's sync got in first. */
const SYNC_ATTEMPTS = 5;

/**
 * One sync: read the published manifest (conditionally for polls), diff
 * it against the log by notice URI, and record the result in ONE durable store step. A
 * failure is remembered in the sync state (shown by `status`) and rethrown. On a store
 * shared by processes, a sync another process recorded meanwhile makes this one start over
 * (reading in full), so two syncs of one deploy append its posts once.
 */
export async function syncOnce(
  deps: SyncDeps,
  source: string,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await syncAttempt(
        deps,
        source,
        attempt === 1 ? opts : { ...opts, conditional: false },
      );
    } catch (e) {
      if (!(e instanceof SyncConflictError) || attempt >= SYNC_ATTEMPTS) throw e;
      deps.log.debug({ source, attempt, reason: e.message }, "sync planned again");
    }
  }
}

async function syncAttempt(deps: SyncDeps, source: string, opts: SyncOptions): Promise<SyncResult> {
  const { store, log } = deps;
  // Read before everything the plan depends on (see SyncRecord.expectHead).
  const expectHead = await store.headSeq();
  const state = await store.syncState();
  let read: Awaited<ReturnType<typeof readManifest>>;
  try {
    read = await readManifest(deps, opts.conditional ? state : {});
    // A refused manifest leaves no trace but the error: no entries, no archive, no validators.
    if (read !== "not-modified") checkBuiltManifest(read.manifest, deps.config.manifest ?? "");
  } catch (e) {
    const error = (e as Error).message;
    const failed: SyncState = {
      ...(await store.syncState()),
      lastSyncAt: new Date().toISOString(),
      lastSyncSource: source,
      lastSyncError: error,
    };
    await store.saveSyncState(failed);
    // A poll refusing the same dev-server manifest again (every tick while it runs) says it once.
    const again =
      e instanceof ManifestRunModeError && source === "poll" && state.lastSyncError === error;
    log[again ? "debug" : "warn"]({ source, error }, "sync failed");
    throw e;
  }
  const destinations = (await store.destinations()).filter((d) => !d.gaveUpAt).length;
  const now = new Date().toISOString();
  if (read === "not-modified") {
    const { lastSyncError: _cleared, ...rest } = await store.syncState();
    await store.saveSyncState({ ...rest, lastSyncAt: now, lastSyncSource: source });
    return { ...EMPTY, outcome: "not-modified", destinations };
  }
  const siteUrl = deps.config.siteUrl;
  if (read.manifest.profile.uri !== siteUrl) {
    log.warn(
      { manifestUri: read.manifest.profile.uri, siteUrl },
      "the manifest's profile URI differs from the config's \"siteUrl\"; pushing as siteUrl (the identity subscribers know). Give the plugin and the sidecar the same site URL.",
    );
  }
  const plan = planSync(read.manifest, state, await store.publishedPosts(), deps.transports.all(), {
    siteUrl,
    ...(opts.confirmRemovals ? { confirmRemovals: true } : {}),
  });
  const next: SyncState = {
    initialized: true,
    lastSyncAt: now,
    lastSyncSource: source,
    ...(read.etag ? { etag: read.etag } : {}),
    ...(read.lastModified ? { lastModified: read.lastModified } : {}),
    ...(plan.profile ? { profile: plan.profile } : {}),
  };
  const seqs = await store.applySync({
    entries: plan.entries,
    posts: plan.posts,
    state: next,
    expectHead,
  });
  const count = (kind: string) => plan.entries.filter((e) => e.entry.kind === kind).length;
  const newNotices = count("notice");
  deps.events.emit("manifest", read.manifest);
  if (seqs.length > 0) deps.events.emit("outbound");
  for (const r of plan.rejected) {
    log.warn(
      { notice: r.uri, reason: r.reason },
      "notice not sent: every protocol's receivers would refuse it; tried again next sync",
    );
  }
  if (plan.profileError) {
    log.warn({ reason: plan.profileError }, "profile change not sent: it breaks an OMB rule");
  }
  if (plan.removalsHeld) {
    log.warn(
      { removalsHeld: plan.removalsHeld },
      "most posts vanished from the manifest at once: removals held back (a broken build?); run `eleventy-federation sync --confirm-removals` if they were meant",
    );
  }
  const result: SyncResult = {
    outcome: plan.firstSync ? "first-sync" : "synced",
    newNotices,
    updated: count("update"),
    removed: count("delete"),
    archived: plan.archived.length,
    profileChanged: plan.profileChanged,
    rejected: plan.rejected,
    destinations,
    seqs,
  };
  if (plan.profileError) result.profileError = plan.profileError;
  if (plan.removalsHeld) result.removalsHeld = plan.removalsHeld;
  log.info(
    {
      source,
      outcome: result.outcome,
      newNotices,
      archived: result.archived,
      profileChanged: plan.profileChanged,
      destinations,
    },
    "sync done",
  );
  return result;
}

const EMPTY: Omit<SyncResult, "outcome" | "destinations"> = {
  newNotices: 0,
  updated: 0,
  removed: 0,
  archived: 0,
  profileChanged: [],
  rejected: [],
  seqs: [],
};

/**
 * Runs syncs one at a time. A request while one runs waits for ONE more sync after it
 * (shared by every request made meanwhile): a deploy hook that arrives mid-sync is never
 * lost, and a burst of hooks costs two syncs, not one each.
 */
export class Syncer {
  readonly #deps: SyncDeps;
  #running: Promise<SyncResult> | null = null;
  #next: Promise<SyncResult> | null = null;
  #nextOptions: SyncOptions = {};

  constructor(deps: SyncDeps) {
    this.#deps = deps;
  }

  run(source: string, opts: SyncOptions = {}): Promise<SyncResult> {
    const asked = {
      conditional: opts.conditional ?? false,
      confirmRemovals: !!opts.confirmRemovals,
    };
    if (this.#next) {
      // The shared next sync is conditional only if every request waiting for it is, and
      // confirms removals if any of them does.
      this.#nextOptions = {
        conditional: !!this.#nextOptions.conditional && asked.conditional,
        confirmRemovals: !!this.#nextOptions.confirmRemovals || asked.confirmRemovals,
      };
      return this.#next;
    }
    if (!this.#running) return this.#start(source, asked);
    this.#nextOptions = asked;
    const after = this.#running.then(
      () => undefined,
      () => undefined,
    );
    const next = after.then(() => {
      this.#next = null;
      return this.#start(source, this.#nextOptions);
    });
    this.#next = next;
    return next;
  }

  /**
   * Takes the baseline if none was taken yet: the first sync, which records the posts on the
   * site now as published without sending them, so that every post published after this
   * moment is delivered. Called before the first follower is stored (a sync after the first
   * subscription must not archive the post it was waiting for) and at start for a store with
   * followers but no sync. Never throws: a failure is logged, and the next sync takes it.
   * Resolves to null when a baseline exists or no manifest is configured.
   */
  async baseline(source: string): Promise<SyncResult | null> {
    const { config, store, log } = this.#deps;
    if (!config.manifest || (await store.syncState()).initialized) return null;
    try {
      return await this.run(source);
    } catch (e) {
      // syncOnce said why, and nothing was recorded: the next sync of a build takes the baseline.
      if (e instanceof ManifestRunModeError) return null;
      log.warn(
        { source, manifest: config.manifest, error: (e as Error).message },
        "could not read the manifest to record the posts already on the site; the next sync that reads it records them, and a post published before then is archived with them, not sent. Check the manifest setting.",
      );
      return null;
    }
  }

  /** Resolves when no sync runs or waits (for shutdown). */
  async idle(): Promise<void> {
    for (let i = 0; i < 3 && (this.#running || this.#next); i++) {
      await (this.#next ?? this.#running)?.catch(() => undefined);
    }
  }

  #start(source: string, opts: SyncOptions): Promise<SyncResult> {
    const p = syncOnce(this.#deps, source, opts).finally(() => {
      if (this.#running === p) this.#running = null;
    });
    this.#running = p;
    return p;
  }
}
