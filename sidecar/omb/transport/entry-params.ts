/** OMB params of outbound notices and profiles, their cached signers, and why a receiver would refuse one. */
import type { ManifestNotice } from "../../../contract/manifest.js";
import { OMB, OMB_VERSION } from "../../../protocol/omb/constants.js";
import type { OAuthParams } from "../../../protocol/omb/oauth.js";
import { PreparedRequest } from "../../../protocol/omb/oauth-fast.js";
import { type OmbProfile, profileToParams } from "../../../protocol/omb/profile.js";
import { validateNoticeParams, validateProfile } from "../../../protocol/omb/validate.js";
import type { NewOutboundEntry, OutboundEntry } from "../../store/types.js";

/** postNotice's parameters, as Laconica/StatusNet sent them (OMB.md §4): no seealso. */
export function noticeParams(listenee: string, n: ManifestNotice): OAuthParams {
  const params: OAuthParams = {
    [OMB.version]: OMB_VERSION,
    [OMB.listenee]: listenee,
    [OMB.notice]: n.uri,
    [OMB.noticeContent]: n.content,
    [OMB.noticeUrl]: n.url,
  };
  if (n.license) params[OMB.noticeLicense] = n.license;
  return params;
}

/** updateProfile's parameters: all nine fields, a blank one sent as '' (= cleared). */
export function profileParams(p: OmbProfile): OAuthParams {
  return {
    [OMB.version]: OMB_VERSION,
    [OMB.listenee]: p.uri,
    ...profileToParams("listenee", p, { onlySet: false }),
  };
}

/** How many entries keep their prepared request: a fan-out moves through a few at a time. */
const CACHE_SIZE = 256;

/**
 * One PreparedRequest per outbound entry, built on first use and kept while the entry is
 * being fanned out: its parameters are encoded once, and each destination only adds its
 * URL, token, nonce and timestamp (protocol/oauth-fast.ts). `siteUrl` is both the OAuth
 * consumer key and `omb_listenee`: the subscriptions were made under it, and a receiver that
 * binds tokens to their listenee (OMB.md P5) answers anything else with 403.
 */
export class PreparedEntries {
  readonly siteUrl: string;
  readonly #cache = new Map<number, PreparedRequest>();

  constructor(siteUrl: string) {
    this.siteUrl = siteUrl;
  }

  /** The signer of a notice or profile entry (the only kinds OMB sends). */
  get(entry: OutboundEntry): PreparedRequest {
    const cached = this.#cache.get(entry.seq);
    if (cached) return cached;
    const params = entryParams(this.siteUrl, entry);
    const prepared = new PreparedRequest(params, this.siteUrl);
    if (this.#cache.size >= CACHE_SIZE) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(entry.seq, prepared);
    return prepared;
  }
}

/** The parameters OMB sends for an entry; only notices and profiles go out over OMB. */
function entryParams(siteUrl: string, entry: NewOutboundEntry): OAuthParams {
  if (entry.kind === "notice") return noticeParams(siteUrl, entry.notice);
  if (entry.kind === "profile") return profileParams({ ...entry.profile, uri: siteUrl });
  throw new Error(`OMB has no message for a "${entry.kind}" entry`);
}

/**
 * Why an OMB receiver would refuse this notice or profile (libomb's field rules, the
 * listenee's license required), or undefined when it would take it.
 */
export function refusalOf(siteUrl: string, entry: NewOutboundEntry): string | undefined {
  try {
    if (entry.kind === "profile") {
      validateProfile("listenee", { ...entry.profile, uri: siteUrl }, { requireLicense: true });
    } else validateNoticeParams(entryParams(siteUrl, entry));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
