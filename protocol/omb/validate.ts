/** The field rules OMB peers enforced (libomb, StatusNet): URIs, nicknames, profiles, notices, version. */
import { OMB, OMB_VERSION, profileParam } from "./constants.js";
import type { OmbProfile } from "./profile.js";

/**
 * The field rules OMB peers enforced on incoming data (OMB.md §5, §10.9), as libomb /
 * StatusNet 0.9 applied them, so that we accept what they accepted and what we send passes
 * their checks. Lengths are UTF-8 bytes where libomb counted bytes (PEAR Validate::string).
 */

/** Which rule a field broke; stable names for logs and tests. */
export type OmbRule =
  | "required"
  | "uri"
  | "max-bytes"
  | "max-chars"
  | "nickname"
  | "version"
  | "disposition"
  | "mediatype";

/** An incoming OMB field breaks a rule. `field` is the wire name, e.g. `omb_listenee_bio`. */
export class OmbValidationError extends Error {
  override name = "OmbValidationError";
  constructor(
    readonly field: string,
    readonly rule: OmbRule,
    what: string,
    value: string,
  ) {
    super(`${field}: ${what}, got "${excerpt(value)}"`);
  }
}

/** Schemes accepted by default. libomb also let ftp and gopher through (`LIBOMB_URL_SCHEMES`). */
export const DEFAULT_URL_SCHEMES: readonly string[] = ["http", "https"];
export const LIBOMB_URL_SCHEMES: readonly string[] = ["http", "https", "ftp", "gopher"];

export const MAX_URI_BYTES = 255;
export const MAX_FULLNAME_BYTES = 255;
export const MAX_LOCATION_BYTES = 255;
export const MAX_BIO_BYTES = 140;
export const DEFAULT_MAX_CONTENT_CHARS = 140;

// PEAR Validate::uri (the version bundled with Laconica/StatusNet) rewritten: scheme,
// `//`, optional userinfo, host (labels of [a-z0-9-] not starting or ending with `-`, the
// last one starting with a letter and without `-`, optional trailing dot) or dotted IPv4,
// optional port of any digits, path of pchars, query of anything but `#`, fragment of
// uric. Case-insensitive like PEAR, spelled out so no Unicode case folding creeps in.
const PCT = "%[0-9A-Fa-f]{2}";
const URI_PATTERN = new RegExp(
  "^([A-Za-z][-+.A-Za-z0-9]*):" +
    `//(?:(?:${PCT}|[-A-Za-z0-9_.!~*'();:&=+$,])*@)?` +
    "(?:(?:[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?\\.)*[A-Za-z][A-Za-z0-9]*\\.?" +
    "|([0-9]{1,3}(?:\\.[0-9]{1,3}){3}))" +
    "(?::[0-9]*)?" +
    `(?:/(?:${PCT}|[-A-Za-z0-9_.!~*'():@&=+$,;])*)*` +
    "(?:\\?([^#]*))?" +
    `(?:#((?:${PCT}|[-A-Za-z0-9_.!~*'();/?:@&=+$,])*))?$`,
);
/** PEAR's default "strict" set: not allowed unencoded in the query or fragment. */
const STRICT_CHARS = /[;/?:@$,]/;
/** Longer input is refused outright, so the pattern never runs on megabytes. */
const MAX_URI_CHARS = 8192;

/**
 * PEAR `Validate::uri` as libomb called it, quirks included:
 * - needs `scheme://host`; `tag:` and `urn:` URIs fail; the scheme must be in `schemes`
 *   compared case-sensitively (`HTTP://x.example` fails, as in PHP's `in_array`);
 * - host labels `[a-z0-9-]` in any case, no `_`; the last label starts with a letter
 *   (`localhost` passes, `1a.example` passes, `example.1a` fails); a trailing dot passes;
 *   or a dotted IPv4 with each part ≤ 255; no IPv6; any port digits;
 * - path: unreserved, `%XX` and `:@&=+$,;` only (no raw non-ASCII, no `%` without hex);
 * - query and fragment may not contain `; / ? : @ $ ,` (`?u=http://x` fails,
 *   `?action=postnotice` passes); the query may contain anything else, even spaces.
 */
export function isValidUri(value: string, opts: { schemes?: readonly string[] } = {}): boolean {
  if (value.length > MAX_URI_CHARS) return false;
  const m = URI_PATTERN.exec(value);
  if (!m) return false;
  const [, scheme = "", ipv4, query, fragment] = m;
  if (!(opts.schemes ?? DEFAULT_URL_SCHEMES).includes(scheme)) return false;
  if (ipv4?.split(".").some((part) => Number(part) > 255)) return false;
  return !(
    (query !== undefined && STRICT_CHARS.test(query)) ||
    (fragment !== undefined && STRICT_CHARS.test(fragment))
  );
}

/** 1–64 ASCII letters or digits (libomb; Laconica 0.8 wanted lowercase only). */
export function validateNickname(field: string, v: string): void {
  if (!/^[0-9A-Za-z]{1,64}$/.test(v)) {
    fail(field, "nickname", "must be 1 to 64 ASCII letters or digits", v);
  }
}

/**
 * A listenee's (authorize, updateProfile) or listener's (callback) profile. Empty optional
 * fields mean "not set" and are not checked; `requireLicense` also demands a license.
 */
export function validateProfile(
  role: "listenee" | "listener",
  p: OmbProfile,
  opts: { requireLicense?: boolean; schemes?: readonly string[] } = {},
): void {
  const schemes = opts.schemes ?? DEFAULT_URL_SCHEMES;
  const uriField = role === "listenee" ? OMB.listenee : OMB.listener;
  required(uriField, p.uri);
  maxBytes(uriField, p.uri, MAX_URI_BYTES);
  url(uriField, p.uri, schemes);
  required(profileParam(role, "profile"), p.profile);
  url(profileParam(role, "profile"), p.profile, schemes);
  validateNickname(profileParam(role, "nickname"), p.nickname);
  if (opts.requireLicense) required(profileParam(role, "license"), p.license);
  url(profileParam(role, "license"), p.license, schemes);
  maxBytes(profileParam(role, "fullname"), p.fullname, MAX_FULLNAME_BYTES);
  url(profileParam(role, "homepage"), p.homepage, schemes);
  maxBytes(profileParam(role, "bio"), p.bio, MAX_BIO_BYTES);
  maxBytes(profileParam(role, "location"), p.location, MAX_LOCATION_BYTES);
  url(profileParam(role, "avatar"), p.avatar, schemes);
}

const SEEALSO_DISPOSITIONS = ["link", "inline"];
const MEDIA_MAIN_TYPES = [
  "application",
  "audio",
  "image",
  "message",
  "model",
  "multipart",
  "text",
  "video",
];

/**
 * postNotice's notice fields. Absent and empty optional fields are the same (libomb).
 * `maxContentChars` counts Unicode code points before any URL shortening a receiver may
 * do (StatusNet's mb_strlen after shortening); 0 means unlimited.
 */
export function validateNoticeParams(
  params: Readonly<Record<string, string | undefined>>,
  opts: { maxContentChars?: number; schemes?: readonly string[] } = {},
): void {
  const schemes = opts.schemes ?? DEFAULT_URL_SCHEMES;
  const notice = params[OMB.notice] ?? "";
  required(OMB.notice, notice);
  maxBytes(OMB.notice, notice, MAX_URI_BYTES);
  url(OMB.notice, notice, schemes);

  const content = params[OMB.noticeContent] ?? "";
  required(OMB.noticeContent, content);
  const maxChars = opts.maxContentChars ?? DEFAULT_MAX_CONTENT_CHARS;
  const chars = codePointLength(content);
  if (maxChars > 0 && chars > maxChars) {
    const what = `must be at most ${maxChars} characters (is ${chars})`;
    fail(OMB.noticeContent, "max-chars", what, content);
  }

  for (const field of [OMB.noticeUrl, OMB.noticeLicense, OMB.seealso, OMB.seealsoLicense]) {
    url(field, params[field] ?? "", schemes);
  }
  const disposition = params[OMB.seealsoDisposition] ?? "";
  if (disposition !== "" && !SEEALSO_DISPOSITIONS.includes(disposition)) {
    fail(OMB.seealsoDisposition, "disposition", 'must be "link" or "inline"', disposition);
  }
  const mediatype = params[OMB.seealsoMediatype] ?? "";
  if (mediatype !== "" && !isMediaType(mediatype)) {
    const what = `must be type/subtype with type one of ${MEDIA_MAIN_TYPES.join(", ")}`;
    fail(OMB.seealsoMediatype, "mediatype", what, mediatype);
  }
}

/** `omb_version` must be exactly the OMB 0.1 URI (both stacks compared strings). */
export function validateOmbVersion(v: string | undefined): void {
  required(OMB.version, v ?? "");
  if (v !== OMB_VERSION) fail(OMB.version, "version", `must be exactly ${OMB_VERSION}`, v ?? "");
}

/** libomb's check: word-char main type from the list (any case), subtype of word chars and `-+.`. */
function isMediaType(v: string): boolean {
  const m = /^(\w+)\/[\w+.-]+$/.exec(v);
  return m !== null && MEDIA_MAIN_TYPES.includes((m[1] ?? "").toLowerCase());
}

function required(field: string, v: string): void {
  if (v === "") fail(field, "required", "is required", v);
}

function maxBytes(field: string, v: string, max: number): void {
  const bytes = Buffer.byteLength(v, "utf8");
  if (bytes > max)
    fail(field, "max-bytes", `must be at most ${max} bytes of UTF-8 (is ${bytes})`, v);
}

/** A URL field: empty means "not set" and passes; `required` is checked separately. */
function url(field: string, v: string, schemes: readonly string[]): void {
  if (v !== "" && !isValidUri(v, { schemes })) {
    const what = `must be a valid ${schemes.join("/")} URL with a DNS or IPv4 host`;
    fail(field, "uri", what, v);
  }
}

function fail(field: string, rule: OmbRule, what: string, value: string): never {
  throw new OmbValidationError(field, rule, what, value);
}

/** Length as PHP's mb_strlen counts it: Unicode code points (a surrogate pair is one). */
export function codePointLength(s: string): number {
  if (!/[\uD800-\uDFFF]/.test(s)) return s.length;
  let n = s.length;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const prev = s.charCodeAt(i - 1);
    if (c >= 0xdc00 && c <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff) n--;
  }
  return n;
}

/** The start of a value for an error message, with control characters escaped. */
function excerpt(value: string): string {
  const points = Array.from(value.slice(0, 80));
  const short = points.length > 60 ? `${points.slice(0, 60).join("")}…` : value;
  return JSON.stringify(short).slice(1, -1);
}
