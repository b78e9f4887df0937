/**
 * Every Type URI and parameter name of OpenMicroBlogging 0.1 and the OAuth 1.0 pieces it uses
 * (../shared/OMB.md §2–4). One place, so a typo cannot split a name in two.
 */

export const OMB_VERSION = "http://openmicroblogging.org/protocol/0.1";

/** The exact body a listener answers a successful postNotice/updateProfile with (unencoded). */
export const OMB_SUCCESS_BODY = `omb_version=${OMB_VERSION}`;

export const DEFAULT_LICENSE = "http://creativecommons.org/licenses/by/3.0/";

export const XRDS_NS = "xri://$xrds";
export const XRD_NS = "xri://$xrd*($v*2.0)";
export const XRDS_SIMPLE_NS = "http://xrds-simple.net/core/1.0";
export const XML_NS = "http://www.w3.org/XML/1998/namespace";

export const TYPE = {
  xrdsSimple: "xri://$xrds*simple",
  oauthDiscovery: "http://oauth.net/discovery/1.0",
  omb: OMB_VERSION,
  request: "http://oauth.net/core/1.0/endpoint/request",
  authorize: "http://oauth.net/core/1.0/endpoint/authorize",
  access: "http://oauth.net/core/1.0/endpoint/access",
  resource: "http://oauth.net/core/1.0/endpoint/resource",
  authHeader: "http://oauth.net/core/1.0/parameters/auth-header",
  postBody: "http://oauth.net/core/1.0/parameters/post-body",
  hmacSha1: "http://oauth.net/core/1.0/signature/HMAC-SHA1",
  postNotice: `${OMB_VERSION}/postNotice`,
  updateProfile: `${OMB_VERSION}/updateProfile`,
} as const;

/** The parameter types every OAuth endpoint advertises, in the order libomb writes them. */
export const OAUTH_PARAMETER_TYPES = [TYPE.authHeader, TYPE.postBody, TYPE.hmacSha1] as const;

export const YADIS_ACCEPT = "application/xrds+xml, text/html; q=0.3, application/xhtml+xml; q=0.5";
export const XRDS_CONTENT_TYPE = "application/xrds+xml";
export const XRDS_LOCATION_HEADER = "x-xrds-location";
export const YADIS_LOCATION_HEADER = "x-yadis-location";

export const OAUTH = {
  consumerKey: "oauth_consumer_key",
  token: "oauth_token",
  tokenSecret: "oauth_token_secret",
  signatureMethod: "oauth_signature_method",
  signature: "oauth_signature",
  timestamp: "oauth_timestamp",
  nonce: "oauth_nonce",
  version: "oauth_version",
  callback: "oauth_callback",
} as const;

export const OAUTH_VERSION = "1.0";
export const SIGNATURE_METHOD = "HMAC-SHA1";

/** OMB request parameters (OMB.md §3–4). */
export const OMB = {
  version: "omb_version",
  listener: "omb_listener",
  listenee: "omb_listenee",
  notice: "omb_notice",
  noticeContent: "omb_notice_content",
  noticeUrl: "omb_notice_url",
  noticeLicense: "omb_notice_license",
  seealso: "omb_seealso",
  seealsoDisposition: "omb_seealso_disposition",
  seealsoMediatype: "omb_seealso_mediatype",
  seealsoLicense: "omb_seealso_license",
} as const;

/** The profile fields, without their `omb_listenee_` / `omb_listener_` prefix. */
export const PROFILE_FIELDS = [
  "profile",
  "nickname",
  "license",
  "fullname",
  "homepage",
  "bio",
  "location",
  "avatar",
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** `omb_listenee_nickname`, `omb_listener_profile`, … */
export function profileParam(role: "listenee" | "listener", field: ProfileField): string {
  return `omb_${role}_${field}`;
}
