// @11ty/eleventy-fetch 5 ships no type definitions; this declares the part plugin/timeline/feeds.ts
// uses (eleventy-fetch.js, src/RemoteAssetCache.js).
declare module "@11ty/eleventy-fetch" {
  export interface FetchOptions {
    /** How long a cached copy is used before fetching again: "30m", "1h", "1d", "*". */
    duration?: string;
    type?: "buffer" | "json" | "text" | "xml" | "parsed-xml";
    /** The cache folder (relative to the working directory). */
    directory?: string;
    /** The cache key when the source is a function. */
    requestId?: string;
    dryRun?: boolean;
  }

  /** One cached remote asset. When a fetch fails and an expired copy exists, that is returned. */
  export interface RemoteAssetCache {
    fetch(): Promise<unknown>;
    isCacheValid(duration?: string): boolean;
    wasLastFetchCacheHit(): boolean;
    getCachedTimestamp(): number | undefined;
  }

  /** The instance for a source (one per cache key in this process). */
  export function Fetch(
    source: string | (() => Promise<unknown>),
    options?: FetchOptions,
  ): RemoteAssetCache;

  export default function EleventyFetch(
    source: string | (() => Promise<unknown>),
    options?: FetchOptions,
  ): Promise<unknown>;
}
