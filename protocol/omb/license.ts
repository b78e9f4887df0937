/**
 * License compatibility of incoming profiles and notices (OMB.md §5). The spec lets a
 * listener refuse content under a license it cannot republish; the stacks disagreed on how:
 * - "statusnet-0.9": StatusNet 0.9+ (applied at authorization, to `omb_notice_license` on
 *   postNotice and to `omb_listenee_license` on updateProfile);
 * - "equal": Laconica 0.6.4–0.8, exact string equality (subscriptions only);
 * - "any": accept everything (Laconica 0.5, and the spec's "MAY").
 */
export type LicenseMode = "statusnet-0.9" | "equal" | "any";

export const LICENSE_MODES: readonly LicenseMode[] = ["statusnet-0.9", "equal", "any"];

/**
 * The terms of a Creative Commons license URL: `…creativecommons.org/licenses/by-nc-sa/3.0/`
 * → `["by", "nc", "sa"]` (the path segment after `licenses/`, split on `-`, case-sensitive;
 * any scheme, `www.` or version). Anything else is a single opaque term: the whole string.
 * CC0 (`creativecommons.org/publicdomain/zero/…`) is not under `licenses/`, so it is opaque
 * too, exactly as StatusNet 0.9 saw it.
 */
export function licenseTerms(uri: string): string[] {
  const m = /creativecommons\.org\/licenses\/([^/]+)/.exec(uri);
  return m?.[1] ? m[1].split("-") : [uri];
}

/**
 * May content under `senderLicense` be republished on a site under `siteLicense`?
 * StatusNet 0.9 rule (default):
 * 1. a sender license whose only term is `by` or `publicdomain` fits anything
 *    (CC BY of any version, `…/licenses/publicdomain/`);
 * 2. if either side has `sa`, every term of the sender's license must be among the site's
 *    (versions ignored: by-sa/2.0 fits by-sa/3.0; by-nc-sa does not fit by-sa);
 * 3. otherwise the two strings must be equal (by-nc/2.0 does not fit by-nc/3.0).
 * Only the sender's side gets rule 1: a site under CC BY does not accept by-nd content.
 */
export function isLicenseCompatible(
  senderLicense: string,
  siteLicense: string,
  mode: LicenseMode = "statusnet-0.9",
): boolean {
  if (mode === "any") return true;
  if (mode === "equal") return senderLicense === siteLicense;
  const from = licenseTerms(senderLicense);
  if (from.length === 1 && (from[0] === "by" || from[0] === "publicdomain")) return true;
  const to = licenseTerms(siteLicense);
  if (from.includes("sa") || to.includes("sa")) return from.every((term) => to.includes(term));
  return senderLicense === siteLicense;
}
