/**
 * The OMB field rules (protocol/omb/validate.ts) and license compatibility (protocol/omb/license.ts)
 * judge every field a peer sends: they answer (or throw OmbValidationError) for any input,
 * in bounded time even on the longest strings let through.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { OMB, OMB_VERSION } from "../../../protocol/omb/constants.js";
import { isLicenseCompatible, LICENSE_MODES, licenseTerms } from "../../../protocol/omb/license.js";
import type { OmbProfile } from "../../../protocol/omb/profile.js";
import {
  isValidUri,
  LIBOMB_URL_SCHEMES,
  OmbValidationError,
  validateNickname,
  validateNoticeParams,
  validateOmbVersion,
  validateProfile,
} from "../../../protocol/omb/validate.js";
import { hostileText, onlyThrows, type Property, property, tokenSoup } from "../property.js";

const URI_TOKENS = [
  "http://",
  "https://",
  "HTTP://",
  "ftp://",
  "tag:",
  "a",
  "a-",
  "-a",
  "1",
  ".",
  "..",
  ":",
  ":80",
  "@",
  "user:pw@",
  "/",
  "//",
  "?",
  "#",
  "%",
  "%41",
  "%zz",
  "=",
  "&",
  ";",
  "$",
  ",",
  "~",
  "[::1]",
  "255.255.255.255",
  "256.1.1.1",
  "example.com",
  " ",
  "\u00e9",
];
/** Inputs shaped to make a backtracking URI regex explode, up to the 8192 characters read. */
const URI_BLOW_UPS = [
  ["http://", "a."],
  ["http://", "a-"],
  ["http://", "a.a-"],
  ["http://a", "/a"],
  ["http://a/", "%41"],
  ["http://a/", "a:"],
  ["http://a?", "?"],
  ["http://a#", "a"],
  ["http://", "1.1."],
  ["http://a", "@"],
  ["http://", "a%41@"],
] as const;

const text = hostileText(80);
const profile: fc.Arbitrary<OmbProfile> = fc.record({
  uri: fc.oneof(fc.webUrl(), text),
  profile: fc.oneof(fc.webUrl(), text),
  nickname: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{1,64}$/), text),
  license: fc.oneof(fc.constant(""), fc.webUrl(), text),
  fullname: text,
  bio: fc.oneof(text, hostileText(300)),
  location: text,
  homepage: fc.oneof(fc.constant(""), fc.webUrl(), text),
  avatar: fc.oneof(fc.constant(""), fc.webUrl(), text),
});
const NOTICE_FIELDS = [
  OMB.notice,
  OMB.noticeContent,
  OMB.noticeUrl,
  OMB.noticeLicense,
  OMB.seealso,
  OMB.seealsoLicense,
  OMB.seealsoDisposition,
  OMB.seealsoMediatype,
  OMB.version,
];
const noticeParams = fc.dictionary(
  fc.oneof(fc.constantFrom(...NOTICE_FIELDS), text),
  fc.oneof(fc.webUrl(), text, fc.constantFrom("link", "inline", "image/png", "text/x+y", "")),
  { maxKeys: 10 },
);
const license = fc.oneof(
  fc.constantFrom(
    "http://creativecommons.org/licenses/by/3.0/",
    "https://creativecommons.org/licenses/by-sa/2.0/",
    "http://creativecommons.org/licenses/by-nc-sa/3.0/",
    "http://creativecommons.org/licenses/publicdomain/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
    "creativecommons.org/licenses/-/",
    "creativecommons.org/licenses/",
  ),
  text,
  tokenSoup(["creativecommons.org/licenses/", "by", "-", "sa", "nc", "nd", "/", "3.0"]),
);

function checkValidation(fn: () => void): void {
  const r = onlyThrows(OmbValidationError, fn);
  if (r instanceof OmbValidationError) {
    assert.ok(r.field !== "" && r.message.startsWith(`${r.field}: `), r.message);
  }
}

export const properties: Record<string, Property> = {
  "isValidUri answers true or false for any string, with either scheme set": property(
    fc.tuple(fc.oneof(text, tokenSoup(URI_TOKENS, 60)), fc.boolean()),
    ([s, libomb]) => {
      const ok = isValidUri(s, libomb ? { schemes: LIBOMB_URL_SCHEMES } : {});
      assert.equal(typeof ok, "boolean");
      // what passes has a scheme, "//" and no whitespace before the query
      if (ok) assert.match(s, /^[A-Za-z][-+.A-Za-z0-9]*:\/\/[^\s?#]*(?:[?#].*)?$/s);
    },
  ),

  "isValidUri takes bounded time on 8 KiB inputs built to backtrack": property(
    fc.tuple(
      fc.constantFrom(...URI_BLOW_UPS),
      fc.integer({ min: 1000, max: 8192 }),
      fc.constantFrom("", "!", " ", "#?", "\u00e9"),
    ),
    ([[prefix, unit], size, tail]) => {
      const s =
        prefix + unit.repeat(Math.floor((size - prefix.length - tail.length) / unit.length)) + tail;
      isValidUri(s);
    },
    { runs: 60, maxRunMs: 250 },
  ),

  "validateProfile: passes or throws OmbValidationError naming the field": property(
    fc.tuple(profile, fc.constantFrom("listenee" as const, "listener" as const), fc.boolean()),
    ([p, role, requireLicense]) =>
      checkValidation(() => validateProfile(role, p, { requireLicense })),
  ),

  "validateNoticeParams: passes or throws OmbValidationError naming the field": property(
    fc.tuple(noticeParams, fc.nat({ max: 300 })),
    ([params, maxContentChars]) =>
      checkValidation(() => validateNoticeParams(params, { maxContentChars })),
  ),

  "validateOmbVersion and validateNickname: pass or throw OmbValidationError": property(
    fc.oneof(text, fc.constant(OMB_VERSION), fc.stringMatching(/^[A-Za-z0-9]{0,70}$/)),
    (s) => {
      checkValidation(() => validateOmbVersion(s));
      checkValidation(() => validateNickname("omb_listenee_nickname", s));
    },
  ),

  "isLicenseCompatible: a boolean for any pair and mode; reflexive; 'equal' is equality": property(
    fc.tuple(license, license, fc.constantFrom(...LICENSE_MODES)),
    ([from, to, mode]) => {
      const ok = isLicenseCompatible(from, to, mode);
      assert.equal(typeof ok, "boolean");
      assert.equal(isLicenseCompatible(from, from, mode), true);
      assert.equal(isLicenseCompatible(from, to, "equal"), from === to);
      assert.equal(isLicenseCompatible(from, to, "any"), true);
      // CC BY and public domain content fits any site (StatusNet 0.9)
      const terms = licenseTerms(from);
      if (terms.length === 1 && (terms[0] === "by" || terms[0] === "publicdomain"))
        assert.equal(isLicenseCompatible(from, to), true);
    },
  ),
};
