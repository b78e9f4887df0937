/** The plugin's global data (the timeline, the interactions), shared by every page as it is. */
import type { EleventyConfig } from "./eleventy-types.js";

/** Eleventy's `addGlobalData` and `addWatchTarget`, which eleventy-types.ts does not declare. */
export type ConfigWithGlobalData = EleventyConfig & {
  addGlobalData(name: string, data: () => Promise<unknown>): unknown;
  addWatchTarget?(target: string): unknown;
};

/**
 * Adds global data loaded once per build and frozen: Eleventy deep-copies plain global data
 * into every page's data (its Merge), which made 1,000 posts with interactions cost 10 s
 * more on a 2,000-page site (bench:build); a frozen object is taken as it is.
 */
export function addSharedGlobalData(
  eleventyConfig: EleventyConfig,
  name: string,
  load: () => Promise<object>,
): void {
  (eleventyConfig as ConfigWithGlobalData).addGlobalData(name, async () =>
    Object.freeze(await load()),
  );
}
