import type { OmbProfile } from "../../protocol/omb/profile.js";
import type { Context } from "../context.js";
import { readManifest } from "../sync/manifest-source.js";

/**
 * Our own profile as the listenee: the one last synced from the published manifest, or,
 * before the first sync, the manifest read now. Throws ManifestSourceError / ManifestError
 * when there is no profile to be had (no manifest configured, site not built or deployed).
 */
export async function currentProfile(
  ctx: Pick<Context, "store" | "config" | "siteHttp">,
): Promise<OmbProfile> {
  const synced = ctx.store.syncState().profile;
  if (synced) return synced;
  // Without validators the read is never "not-modified"; the check keeps the types honest.
  const read = await readManifest(ctx);
  if (read === "not-modified") throw new Error("readManifest: not-modified without validators");
  const { uri, profile, nickname, license, fullname, homepage, bio, location, avatar } =
    read.manifest.profile;
  return { uri, profile, nickname, license, fullname, homepage, bio, location, avatar };
}
