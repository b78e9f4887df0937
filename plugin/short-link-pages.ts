/** Writes the short-link pages into the output folder after a build, so all of them cost Eleventy one template. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BuildEvent } from "./eleventy-types.js";
import { shortLinkHtml } from "./short-links.js";

/** One short-link page: its root-relative URL (`/s/<id>/`) and the absolute URL it leads to. */
export interface ShortLinkPage {
  url: string;
  target: string;
}

/** What `eleventy.after` carries beyond BuildEvent (Eleventy 3 src/Eleventy.js, executeBuild). */
interface AfterEvent extends BuildEvent {
  directories?: { output?: string };
  results?: ReadonlyArray<{ inputPath?: string; outputPath?: string | false } | undefined>;
}

export class ShortLinkCollisionError extends Error {
  override name = "ShortLinkCollisionError";
}

/** The file a page URL is written to, as Eleventy would write it: `<output>/s/<id>/index.html`. */
export function shortLinkFile(outputDir: string, url: string): string {
  const out = path.resolve(outputDir);
  const file = path.resolve(out, `.${url}`, "index.html");
  if (!file.startsWith(out + path.sep)) {
    throw new ShortLinkCollisionError(
      `eleventy-federation: the short link ${url} would be written outside the output folder ${out}. ` +
        'Fix: use a shortLinkPrefix without "..", such as "/s/".',
    );
  }
  return file;
}

/**
 * The short-link pages of a build. Eleventy would give each page a template of its own (a
 * clone, a data cascade, a render and a write: 10,000 posts, 10,000 of them); instead, when
 * Eleventy writes to disk, the one paginated template hands its items over here and pages
 * nothing, and `write` puts each page where Eleventy would have, with the same bytes. In
 * json/ndjson output (`toJSON()`) nothing is written, so the template pages its items as
 * usual and the pages are in Eleventy's results.
 */
export class ShortLinkPages {
  #pages: readonly ShortLinkPage[] = [];
  #toDisk = false;
  /** File → bytes last written there while watching: an incremental rebuild skips unchanged pages. */
  readonly #written = new Map<string, string>();

  /** `eleventy.before`: whether this build writes files (then `write` does the pages). */
  start(event: Pick<BuildEvent, "outputMode">): void {
    this.#toDisk = event.outputMode === "fs";
    this.#pages = [];
  }

  /** True when the pages are written by `write`, not paged by Eleventy. */
  get toDisk(): boolean {
    return this.#toDisk;
  }

  /** The build's pages (the paginated template's `before` calls this with every post). */
  collect(pages: readonly ShortLinkPage[]): void {
    this.#pages = pages;
  }

  /**
   * `eleventy.after`: writes the pages and returns how many. Nothing when Eleventy wrote no
   * template (a dry run, or an incremental build that changed none). Refuses to overwrite a
   * page Eleventy wrote to a short link's path, as Eleventy refuses two templates one path.
   */
  write(event: AfterEvent): number {
    const results = (event.results ?? []).filter((r) => r !== undefined);
    if (!this.#toDisk || results.length === 0 || this.#pages.length === 0) return 0;
    const outputDir = event.directories?.output ?? "_site";
    const taken = new Map<string, string>();
    for (const r of results) {
      if (typeof r.outputPath === "string")
        taken.set(path.resolve(r.outputPath), r.inputPath ?? "");
    }
    const files = this.#pages.map((page) => {
      const file = shortLinkFile(outputDir, page.url);
      const owner = taken.get(file);
      if (owner !== undefined) {
        throw new ShortLinkCollisionError(
          `eleventy-federation: ${owner} is written to ${file}, which is the short link ${page.url}. ` +
            "Fix: give that template another permalink, or set the shortLinkPrefix option to a path no page uses.",
        );
      }
      return { file, html: shortLinkHtml(page.target) };
    });
    const pending = files.filter(
      ({ file, html }) => !event.incremental || this.#written.get(file) !== html,
    );
    writeAll(pending);
    // Only a watching process builds again; a one-off build keeps no copy of the pages.
    if (event.runMode !== "build")
      for (const { file, html } of pending) this.#written.set(file, html);
    return pending.length;
  }
}

/**
 * Writes the files one after another, synchronously, as Eleventy writes its own pages by
 * default: for 10,000 small files that is a third to a fifth of the CPU time of a pool of
 * concurrent async writes (measured on tmpfs), and the build is over, so nothing waits.
 */
function writeAll(files: ReadonlyArray<{ file: string; html: string }>): void {
  for (const { file, html } of files) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, html);
  }
}
