/** The site's profile as OMB sends it: the identifier URI is always the configured siteUrl. */
import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";
import type { OmbProfile } from "../../protocol/omb/profile.js";
import type { Context } from "../context.js";

type ProfileContext = Pick<Context, "config" | "siteProfile">;

/**
 * The site owner's own profile, for the listener fields of the authorize callback and the
 * license incoming content is judged against. The identifier URI is the configured siteUrl,
 * the LocalID the plugin writes into the XRDS. Undefined when there is none to be had (no
 * manifest configured, site not built).
 */
export async function ownProfile(ctx: ProfileContext): Promise<OmbProfile | undefined> {
  const profile = await ctx.siteProfile.cached();
  return profile && { ...profile, uri: ctx.config.siteUrl };
}

/** The license received content must fit: the site's own, else StatusNet's default. */
export async function siteLicense(ctx: ProfileContext): Promise<string> {
  return (await ownProfile(ctx))?.license || DEFAULT_LICENSE;
}
