/**
 * What keeps the demo's sites current: a change to a site's posts rebuilds it and tells its
 * sidecar (so the new notice goes out), and a change to its inbox.json rebuilds it (so the
 * timeline shows what arrived). One rebuild at a time per site; changes during a rebuild
 * give exactly one more.
 */
import { type FSWatcher, watch } from "node:fs";
import path from "node:path";
import { buildSite, type SiteInstance, syncSite } from "./demo-sites.js";

/** Runs `task` now, or once more after the current run when called during one. */
function serialized(task: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const start = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void task().finally(() => {
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
  const rebuild = serialized(async () => {
    try {
      await buildSite(site);
      say(`${label}: rebuilt (the timeline shows what arrived): ${site.url}timeline/`);
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
