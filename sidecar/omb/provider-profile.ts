import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";
import type { OmbProfile } from "../../protocol/omb/profile.js";
import type { Context } from "../context.js";
import { currentProfile } from "./listenee-profile.js";

/** A profile read from the manifest (before the first sync) is reused this long. */
const MANIFEST_CACHE_MS = 60_000;

const cache = new WeakMap<object, { at: number; profile: OmbProfile }>();

type ProfileContext = Pick<Context, "config" | "store" | "siteHttp" | "log">;

/**
 * The site owner's own profile, for the listener fields of the authorize callback and the
 * license incoming content is judged against: `currentProfile` (the last synced one, else
 * the manifest read now, cached here since every inbound notice asks). The identifier URI
 * is always the configured siteUrl, the LocalID the plugin writes into the XRDS. Undefined
 * when there is none to be had (no manifest configured, site not built).
 */
export async function ownProfile(ctx: ProfileContext): Promise<OmbProfile | undefined> {
  const synced = ctx.store.syncState().profile;
  if (synced) return { ...synced, uri: ctx.config.siteUrl };
  const hit = cache.get(ctx.store);
  if (hit && Date.now() - hit.at < MANIFEST_CACHE_MS) return hit.profile;
  try {
    const profile = { ...(await currentProfile(ctx)), uri: ctx.config.siteUrl };
    cache.set(ctx.store, { at: Date.now(), profile });
    return profile;
  } catch (err) {
    ctx.log.warn({ err }, "the site's own profile is unknown (no sync yet, manifest unreadable)");
    return hit?.profile;
  }
}

/** The license received content must fit: the site's own, else StatusNet's default. */
export async function siteLicense(ctx: ProfileContext): Promise<string> {
  return (await ownProfile(ctx))?.license || DEFAULT_LICENSE;
}
