/**
 * What keeps the demo's sites current: a change to a site's posts rebuilds it and tells its
 * sidecar (so the new notice goes out), and a change to its inbox.json (a new follow, an
 * unfollow, a notice that arrived) rebuilds it, so its Following and timeline pages show it.
 * One rebuild at a time per site; changes during a rebuild give exactly one more.
 */
import { type FSWatcher, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { buildSite, type SiteInstance, syncSite } from "./demo-sites.js";

/** How many accounts the site follows and notices it holds, per its inbox.json. */
async function inboxCounts(file: string): Promise<{ following: number; notices: number }> {
  try {
    const json = JSON.parse(await readFile(file, "utf8")) as {
      following?: unknown[];
      inbox?: unknown[];
    };
    return { following: json.following?.length ?? 0, notices: json.inbox?.length ?? 0 };
  } catch {
    return { following: 0, notices: 0 };
  }
}

/** What changed between two inbox.json readings, in words ("" when nothing did). */
export function inboxChange(
  before: { following: number; notices: number },
  after: { following: number; notices: number },
): string {
  const parts: string[] = [];
  if (after.following > before.following) parts.push("now following one more account");
  if (after.following < before.following) parts.push("stopped following an account");
  const arrived = after.notices - before.notices;
  if (arrived > 0) parts.push(`${arrived} new notice(s) arrived`);
  return parts.join(", ");
}

/**
 * Runs `task` now, or once more after the current run when called during one. The task is
 * told whether another run is already due (what it built may be out of date already).
 */
function serialized(task: (againDue: () => boolean) => Promise<void>): () => void {
  let running = false;
  let again = false;
  const start = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void task(() => again).finally(() => {
      running = false;
      if (again) {
        again = false;
        start();
      }
    });
  };
  return start;
}

/** Calls `fn` once a burst of calls has been quiet for `ms`. */
function debounced(fn: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | null = null;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

export interface SiteWatcher {
  close(): void;
}

/** Watches one site's posts and inbox.json; `say` prints what happened. */
export function watchSite(site: SiteInstance, say: (line: string) => void): SiteWatcher {
  const label = site.name.toUpperCase();
  // What the pages showed at the last build (the site is built before it is watched).
  let shown = inboxCounts(site.inboxFile);
  const rebuild = serialized(async (againDue) => {
    const now = await inboxCounts(site.inboxFile);
    const change = inboxChange(await shown, now);
    say(`${label}: its inbox changed${change ? ` (${change})` : ""}; rebuilding ${label}...`);
    try {
      await buildSite(site);
      shown = Promise.resolve(now);
      // Another change came during the build: the next build's line says when all is shown.
      if (againDue()) return;
      say(
        `${label}: rebuilt; its pages show it now: Following ${site.url}following/ and timeline ${site.url}timeline/`,
      );
    } catch (e) {
      say(`${label}: the rebuild failed: ${(e as Error).message}`);
    }
  });
  const publish = serialized(async () => {
    try {
      await buildSite(site);
      const r = (await syncSite(site)).result;
      say(
        `${label}: rebuilt and synced: ${String(r.newNotices ?? 0)} new notice(s) for ${String(r.destinations ?? 0)} destination(s).`,
      );
    } catch (e) {
      say(`${label}: publishing failed: ${(e as Error).message}`);
    }
  });
  const onInbox = debounced(rebuild, 300);
  const watchers: FSWatcher[] = [
    watch(path.join(site.sourceDir, "posts"), debounced(publish, 400)),
    // The sidecar replaces inbox.json by a rename: watch the folder, not the file.
    watch(site.dataDir, (_event, file) => {
      if (file?.toString() === path.basename(site.inboxFile)) onInbox();
    }),
  ];
  return {
    close: () => {
      for (const w of watchers) w.close();
    },
  };
}
