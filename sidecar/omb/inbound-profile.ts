/** Receives updateProfile from followed authors: verified, merged, validated, saved as their profile. */
import { OMB, PROFILE_FIELDS, profileParam } from "../../protocol/omb/constants.js";
import type { OAuthParams } from "../../protocol/omb/oauth.js";
import type { OmbProfile } from "../../protocol/omb/profile.js";
import { validateOmbVersion, validateProfile } from "../../protocol/omb/validate.js";
import type { Context } from "../context.js";
import { checkFields, checkLicense } from "./inbound-notice.js";
import { verifyPush } from "./inbound-verify.js";

/**
 * Applies an updateProfile's fields to the stored profile (OMB.md §4): a field sent empty
 * is cleared, a field not sent stays as it was.
 */
export function mergeProfile(old: OmbProfile, params: OAuthParams): OmbProfile {
  const next: OmbProfile = { ...old };
  for (const field of PROFILE_FIELDS) {
    const value = params[profileParam("listenee", field)];
    if (value !== undefined) next[field] = value;
  }
  return next;
}

/**
 * updateProfile from someone the site follows: authenticated like a notice, the merged
 * profile validated as at authorization, and in "statusnet-0.9" mode the sent license
 * judged always (a missing one is incompatible, as StatusNet 0.9 judged it). The new
 * profile replaces the one in the following record.
 */
export async function receiveProfile(
  ctx: Pick<Context, "config" | "store" | "siteProfile" | "log" | "events">,
  params: OAuthParams,
): Promise<OmbProfile> {
  const following = await verifyPush(ctx, "updateProfile", params);
  const listenee = following.id;
  checkFields(() => validateOmbVersion(params[OMB.version]));
  const profile = mergeProfile(following.profile, params);
  checkFields(() => validateProfile("listenee", profile));
  if (ctx.config.licenseMode === "statusnet-0.9") {
    const field = profileParam("listenee", "license");
    await checkLicense(ctx, field, params[field] ?? "");
  }
  // Only while it is still this grant: an unfollow meanwhile must not be undone by this write.
  const saved = await ctx.store.saveFollowed(
    { ...following, profile },
    { ifCredential: following.credentials.token },
  );
  if (!saved) return profile;
  ctx.events.emit("following", listenee);
  return profile;
}
