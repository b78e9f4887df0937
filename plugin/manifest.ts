/** Builds /federation/manifest.json from the options and posts, validated against the contract. */
import {
  MANIFEST_PATH,
  MANIFEST_RUN_MODES,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestRunMode,
  parseManifest,
} from "../contract/manifest.js";
import type { CollectionItem } from "./eleventy-types.js";
import type { ResolvedOptions } from "./options.js";
import { hasUrl, isFederated, type PostIndex } from "./posts.js";

/** The profile part of the manifest: the site is the profile (its URL is the identifier). */
export function manifestProfile(options: ResolvedOptions): Manifest["profile"] {
  const { profile, siteUrl } = options;
  return {
    uri: siteUrl,
    profile: siteUrl,
    nickname: profile.nickname,
    fullname: profile.fullname,
    bio: profile.bio,
    location: profile.location,
    homepage: profile.homepage,
    avatar: profile.avatar,
    license: profile.license,
  };
}

/** Newest first; posts of the same instant by URL, so the order is the same on every build. */
function newestFirst(
  a: CollectionItem & { url: string },
  b: CollectionItem & { url: string },
): number {
  return b.date.getTime() - a.date.getTime() || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);
}

/**
 * The run mode of the Eleventy run rendering a template, from its data (`eleventy.env.runMode`,
 * Eleventy 2.0+); "build" when the data does not say.
 */
export function eleventyRunMode(data: Record<string, unknown>): ManifestRunMode {
  const env = (data.eleventy as { env?: { runMode?: unknown } } | undefined)?.env;
  const mode = MANIFEST_RUN_MODES.find((m) => m === env?.runMode);
  return mode ?? "build";
}

/**
 * `/federation/manifest.json`: the profile and one notice per federated post, newest first.
 * It is validated against the contract the sidecar reads, so a bad manifest fails the build
 * here rather than the delivery later. No build timestamp: same posts, same bytes. Written
 * by `eleventy --serve` or `--watch`, it says so (`runMode`), and the sidecar will not sync
 * it: those runs may include drafts. A build's manifest has no `runMode` (same bytes as before).
 */
export function buildManifest(
  options: ResolvedOptions,
  posts: readonly CollectionItem[],
  index: PostIndex,
  generator: string,
  runMode: ManifestRunMode = "build",
): string {
  const notices = posts
    .filter(hasUrl)
    .filter(isFederated)
    .sort(newestFirst)
    .map((item) => index.notice(item));
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    generator,
    ...(runMode === "build" ? {} : { runMode }),
    profile: manifestProfile(options),
    notices,
  };
  parseManifest(
    manifest,
    `${MANIFEST_PATH} as built by eleventy-federation (check the posts' front matter and the plugin options)`,
  );
  return manifestJson(manifest);
}

/**
 * `JSON.stringify(manifest, null, 2)` and a newline, byte for byte, but each notice on its
 * own: with every post's HTML body in it the manifest is megabytes, and V8 turns 10,000
 * small objects into text two to three times faster than one object holding them all.
 * (A notice's JSON has no raw newline but those between its fields, so indenting it is a
 * plain replace.)
 */
export function manifestJson(manifest: Manifest): string {
  const { notices, ...head } = manifest;
  // Only when `notices` is the last field (as buildManifest puts it): the head then ends
  // with `"notices": []\n}`, and the notices go in place of that `[]`.
  if (notices.length === 0 || Object.keys(manifest).at(-1) !== "notices") {
    return `${JSON.stringify(manifest, null, 2)}\n`;
  }
  const top = JSON.stringify({ ...head, notices: [] }, null, 2);
  const items = notices.map((n) => `    ${JSON.stringify(n, null, 2).replaceAll("\n", "\n    ")}`);
  return `${top.slice(0, -"[]\n}".length)}[\n${items.join(",\n")}\n  ]\n}\n`;
}
