/** The build-time check that the profile's avatar, when it is a file of this site, was built. */
import { statSync } from "node:fs";
import path from "node:path";
import type { BuildEvent } from "./eleventy-types.js";
import type { ResolvedOptions } from "./options.js";

/**
 * The file in `outputDir` that serves `avatar`, when the avatar is a URL under `siteUrl` (as
 * a path such as "/avatar.png" resolves to); null for an image elsewhere, or no avatar.
 */
export function localAvatarFile(avatar: string, siteUrl: string, outputDir: string): string | null {
  if (!URL.canParse(avatar)) return null;
  // Parsed first: "%2e%2e/" is "../" to a URL, and may leave the site's path.
  const url = new URL(avatar);
  if (!url.href.startsWith(siteUrl)) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname.slice(new URL(siteUrl).pathname.length));
  } catch {
    return null; // not a path a file can have (a bad %-escape)
  }
  const out = path.resolve(outputDir);
  const file = path.resolve(out, relative);
  return file.startsWith(out + path.sep) ? file : null;
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * After a build to disk (`eleventy.after`): a warning when the avatar is this site's file and
 * the output does not hold it (the card would show a broken image; OMB services could not
 * fetch it), else null.
 */
export function missingAvatarWarning(
  options: Pick<ResolvedOptions, "profile" | "siteUrl">,
  event: BuildEvent & { directories?: { output?: string } },
): string | null {
  const { avatar } = options.profile;
  const file = localAvatarFile(avatar, options.siteUrl, event.directories?.output ?? "_site");
  if (file === null || isFile(file)) return null;
  return (
    `eleventy-federation: the avatar ${avatar} (option profile.avatar) is not in the build output: there is no ${file}, ` +
    "so the profile card shows a broken image and OMB services cannot fetch it. " +
    "Fix: copy the image into the output with eleventyConfig.addPassthroughCopy, or set profile.avatar to the absolute URL of an image served elsewhere."
  );
}
