import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OMB_VERSION } from "./constants.js";
import type { OmbProfile } from "./profile.js";
import {
  isValidUri,
  LIBOMB_URL_SCHEMES,
  type OmbRule,
  OmbValidationError,
  validateNickname,
  validateNoticeParams,
  validateOmbVersion,
  validateProfile,
} from "./validate.js";

/** Asserts that `fn` throws an OmbValidationError for exactly this field and rule. */
function throwsRule(fn: () => void, field: string, rule: OmbRule): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof OmbValidationError, String(err));
    assert.equal(err.field, field);
    assert.equal(err.rule, rule);
    assert.ok(err.message.startsWith(`${field}: `), err.message);
    assert.match(err.message, /, got ".*"$/s);
    return true;
  });
}

describe("isValidUri (PEAR Validate::uri as libomb used it)", () => {
  const valid = [
    "http://example.com",
    "http://example.com/",
    "https://a.example/index.php?action=postnotice",
    "http://127.0.0.1:8001/user/1",
    "http://localhost/",
    "http://example.com:8080/p",
    "http://example.com:/p",
    "http://example.com:99999/p",
    "http://Example.COM/Path",
    "http://example.com./",
    "http://user:pw@example.com/",
    "http://example.com/a%20b/c;d=e:f@g",
    "http://example.com/?q=a b&x=ü",
    "http://xn--bcher-kva.example/",
    "http://1a.example/",
    "http://example.com/#frag",
    "http://example.com?action=x",
    "http://creativecommons.org/licenses/by/3.0/",
  ];
  for (const uri of valid) it(`accepts ${uri}`, () => assert.equal(isValidUri(uri), true));

  const invalid: [string, string][] = [
    ["tag:example.org,2009:notice/1", "tag: URI (no //host)"],
    ["urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "urn: URI"],
    ["http://under_score.example/", "_ in host"],
    ["http://example.com/?u=http://x", "':' and '/' in query"],
    ["http://example.com/?a;b", "';' in query"],
    ["http://example.com/?a@b", "'@' in query"],
    ["http://example.com/?a$b", "'$' in query"],
    ["http://example.com/?a,b", "',' in query"],
    ["http://example.com/?next?x", "'?' in query"],
    ["http://example.com/#a/b", "'/' in fragment"],
    ["http://example.com/#a b", "space in fragment"],
    ["HTTP://example.com/", "scheme compared case-sensitively"],
    ["ftp://example.com/", "ftp not in the default schemes"],
    ["javascript:alert(1)", "no //host"],
    ["http://256.1.1.1/", "IPv4 part > 255"],
    ["http://1.2.3.4.5/", "five numeric labels: last label must start with a letter"],
    ["http://example.1a/", "last label starts with a digit"],
    ["http://example.co-m/", "'-' in the last label"],
    ["http://-a.example/", "label starting with '-'"],
    ["http://a-.example/", "label ending with '-'"],
    ["http://[::1]/", "IPv6 literal"],
    ["http://example.com/ü", "raw non-ASCII in path"],
    ["http://example.com/a b", "space in path"],
    ["http://example.com/%zz", "bad escape in path"],
    ["http://exa mple.com/", "space in host"],
    ["/relative", "relative"],
    ["//example.com/", "no scheme"],
    ["http://", "no host"],
    ["http:///p", "no host"],
    ["http://example.com\n", "trailing newline (PHP's $ allowed it; we do not)"],
    ["", "empty"],
  ];
  for (const [uri, why] of invalid) {
    it(`rejects ${JSON.stringify(uri)}: ${why}`, () => assert.equal(isValidUri(uri), false));
  }

  it("takes other schemes as an option (libomb: http, https, ftp, gopher)", () => {
    assert.equal(isValidUri("ftp://example.com/f", { schemes: LIBOMB_URL_SCHEMES }), true);
    assert.equal(isValidUri("gopher://example.com/", { schemes: LIBOMB_URL_SCHEMES }), true);
    assert.equal(isValidUri("ssh://example.com/", { schemes: LIBOMB_URL_SCHEMES }), false);
    assert.equal(isValidUri("http://example.com/", { schemes: [] }), false);
  });

  it("stays fast on long hostile input", () => {
    const start = performance.now();
    assert.equal(isValidUri(`http://${"a".repeat(8000)}!`), false);
    assert.equal(isValidUri(`http://${"a.".repeat(4000)}!`), false);
    assert.equal(isValidUri(`http://${"a-".repeat(4000)}!`), false);
    assert.equal(isValidUri(`http://a.example/${"%20".repeat(2000)}`), true);
    assert.equal(isValidUri(`http://a.example/${"a".repeat(9000)}`), false);
    assert.ok(performance.now() - start < 500);
  });
});

describe("validateNickname", () => {
  it("accepts 1 to 64 ASCII letters or digits, any case", () => {
    for (const n of ["bob", "Bob99", "7", "a".repeat(64)]) validateNickname("n", n);
  });
  for (const n of ["", "a".repeat(65), "bob_1", "bób", "bob\n", "bo b", "bob.example"]) {
    it(`rejects ${JSON.stringify(n)}`, () =>
      throwsRule(() => validateNickname("omb_x", n), "omb_x", "nickname"));
  }
});

describe("validateProfile", () => {
  // bob's profile as the captures show it (updateProfile, alice-8001-wire).
  const bob: OmbProfile = {
    uri: "http://127.0.0.1:8002/user/2",
    profile: "http://127.0.0.1:8002/bob",
    nickname: "bob",
    license: "http://creativecommons.org/licenses/by/3.0/",
    fullname: "Bob Updated",
    homepage: "http://127.0.0.1:8002/home",
    bio: "Testing OMB 0.1",
    location: "Loopback",
    avatar: "",
  };
  const with_ = (p: Partial<OmbProfile>): OmbProfile => ({ ...bob, ...p });
  const check = (p: Partial<OmbProfile>, field: string, rule: OmbRule, requireLicense = false) =>
    throwsRule(() => validateProfile("listenee", with_(p), { requireLicense }), field, rule);

  it("accepts the captured profiles, empty optional fields included", () => {
    validateProfile("listenee", bob);
    validateProfile("listenee", bob, { requireLicense: true });
    validateProfile(
      "listener",
      with_({ license: "", fullname: "", homepage: "", bio: "", location: "" }),
    );
  });

  it("identifier URI: required, valid, ≤255 bytes", () => {
    check({ uri: "" }, "omb_listenee", "required");
    check({ uri: "tag:example.org,2009:bob" }, "omb_listenee", "uri");
    const base = "http://a.example/";
    validateProfile("listenee", with_({ uri: base + "a".repeat(255 - base.length) }));
    check({ uri: base + "a".repeat(256 - base.length) }, "omb_listenee", "max-bytes");
  });

  it("profile URL: required and valid", () => {
    check({ profile: "" }, "omb_listenee_profile", "required");
    check({ profile: "http://a.example/?u=http://x" }, "omb_listenee_profile", "uri");
  });

  it("nickname", () => {
    check({ nickname: "" }, "omb_listenee_nickname", "nickname");
    check({ nickname: "bob_smith" }, "omb_listenee_nickname", "nickname");
  });

  it("license: valid when set, required on request", () => {
    check({ license: "CC BY 3.0" }, "omb_listenee_license", "uri");
    validateProfile("listenee", with_({ license: "" }));
    check({ license: "" }, "omb_listenee_license", "required", true);
  });

  it("fullname ≤255 bytes, counted as UTF-8 bytes at a multi-byte boundary", () => {
    validateProfile("listenee", with_({ fullname: `${"a".repeat(252)}€` }));
    check({ fullname: `${"a".repeat(253)}€` }, "omb_listenee_fullname", "max-bytes");
    check({ fullname: "é".repeat(128) }, "omb_listenee_fullname", "max-bytes");
  });

  it("homepage: http(s) by default, ftp with libomb's schemes", () => {
    check({ homepage: "ftp://a.example/" }, "omb_listenee_homepage", "uri");
    validateProfile("listenee", with_({ homepage: "ftp://a.example/" }), {
      schemes: LIBOMB_URL_SCHEMES,
    });
  });

  it("bio ≤140 bytes: 70 × ü or 35 × 😀 fit, one more byte does not", () => {
    validateProfile("listenee", with_({ bio: "ü".repeat(70) }));
    validateProfile("listenee", with_({ bio: "😀".repeat(35) }));
    check({ bio: `${"ü".repeat(70)}a` }, "omb_listenee_bio", "max-bytes");
    check({ bio: `${"😀".repeat(34)}abcde` }, "omb_listenee_bio", "max-bytes");
  });

  it("location ≤255 bytes", () => {
    validateProfile("listenee", with_({ location: `${"ö".repeat(127)}x` }));
    check({ location: `${"ö".repeat(127)}xy` }, "omb_listenee_location", "max-bytes");
  });

  it("avatar: valid URL when set", () => {
    check({ avatar: "http://a.example/my avatar.png" }, "omb_listenee_avatar", "uri");
  });

  it("names the listener's wire fields for the listener role", () => {
    throwsRule(
      () => validateProfile("listener", with_({ bio: "x".repeat(141) })),
      "omb_listener_bio",
      "max-bytes",
    );
    throwsRule(() => validateProfile("listener", with_({ uri: "" })), "omb_listener", "required");
  });

  it("says what failed, with an excerpt of the value", () => {
    assert.throws(() => validateProfile("listenee", with_({ bio: "ü".repeat(100) })), {
      name: "OmbValidationError",
      message: `omb_listenee_bio: must be at most 140 bytes of UTF-8 (is 200), got "${"ü".repeat(60)}…"`,
    });
    assert.throws(() => validateProfile("listenee", with_({ nickname: 'a"\nb' })), {
      message: 'omb_listenee_nickname: must be 1 to 64 ASCII letters or digits, got "a\\"\\nb"',
    });
  });
});

describe("validateNoticeParams", () => {
  // The captured postNotice (alice-8001-wire): unicode content, all optional URL fields.
  const captured = {
    omb_version: OMB_VERSION,
    omb_listenee: "http://127.0.0.1:8002/user/2",
    omb_notice: "http://127.0.0.1:8002/notice/1",
    omb_notice_content: "Hello from bob via libomb! & ünïcödé + 100% <ok>",
    omb_notice_license: "http://creativecommons.org/licenses/by/3.0/",
    omb_notice_url: "http://127.0.0.1:8002/notice/1",
  };
  const check = (
    p: Record<string, string | undefined>,
    field: string,
    rule: OmbRule,
    max?: number,
  ) =>
    throwsRule(
      () => validateNoticeParams({ ...captured, ...p }, { maxContentChars: max }),
      field,
      rule,
    );

  it("accepts the captured notice and a full seealso set", () => {
    validateNoticeParams(captured);
    validateNoticeParams({
      ...captured,
      omb_seealso: "http://127.0.0.1:8002/file/1.png",
      omb_seealso_disposition: "inline",
      omb_seealso_mediatype: "image/png",
      omb_seealso_license: "http://creativecommons.org/licenses/by-sa/3.0/",
    });
  });

  it("omb_notice: required, valid URI, ≤255 bytes", () => {
    check({ omb_notice: undefined }, "omb_notice", "required");
    check({ omb_notice: "" }, "omb_notice", "required");
    check({ omb_notice: "tag:127.0.0.1,2009:notice/1" }, "omb_notice", "uri");
    check({ omb_notice: `http://a.example/${"n".repeat(239)}` }, "omb_notice", "max-bytes");
  });

  it("omb_notice_content: required and ≤140 characters (code points, not bytes)", () => {
    check({ omb_notice_content: undefined }, "omb_notice_content", "required");
    check({ omb_notice_content: "" }, "omb_notice_content", "required");
    validateNoticeParams({ ...captured, omb_notice_content: "ü".repeat(140) });
    validateNoticeParams({ ...captured, omb_notice_content: "😀".repeat(140) });
    check({ omb_notice_content: "😀".repeat(141) }, "omb_notice_content", "max-chars");
    check({ omb_notice_content: "x".repeat(11) }, "omb_notice_content", "max-chars", 10);
    validateNoticeParams(
      { ...captured, omb_notice_content: "x".repeat(5000) },
      { maxContentChars: 0 },
    );
  });

  it("optional URL fields: valid when present, empty means absent", () => {
    for (const field of [
      "omb_notice_url",
      "omb_notice_license",
      "omb_seealso",
      "omb_seealso_license",
    ]) {
      check({ [field]: "not a url" }, field, "uri");
      validateNoticeParams({ ...captured, [field]: "" });
    }
  });

  it("omb_seealso_disposition is link or inline", () => {
    validateNoticeParams({ ...captured, omb_seealso_disposition: "link" });
    check({ omb_seealso_disposition: "Link" }, "omb_seealso_disposition", "disposition");
    check({ omb_seealso_disposition: "attachment" }, "omb_seealso_disposition", "disposition");
  });

  it("omb_seealso_mediatype is type/subtype with a known main type (any case)", () => {
    for (const t of [
      "image/png",
      "IMAGE/png",
      "image/svg+xml",
      "application/vnd.a-b.c",
      "text/plain",
    ]) {
      validateNoticeParams({ ...captured, omb_seealso_mediatype: t });
    }
    for (const t of [
      "font/woff",
      "image",
      "image/",
      "/png",
      "image/png; q=1",
      "x-foo/bar",
      "image/p/ng",
    ]) {
      check({ omb_seealso_mediatype: t }, "omb_seealso_mediatype", "mediatype");
    }
  });
});

describe("validateOmbVersion", () => {
  it("accepts exactly the OMB 0.1 URI", () => validateOmbVersion(OMB_VERSION));
  it("requires it", () => {
    throwsRule(() => validateOmbVersion(undefined), "omb_version", "required");
    throwsRule(() => validateOmbVersion(""), "omb_version", "required");
  });
  it("rejects anything else", () => {
    throwsRule(() => validateOmbVersion(`${OMB_VERSION}/`), "omb_version", "version");
    throwsRule(
      () => validateOmbVersion("http://openmicroblogging.org/protocol/0.2"),
      "omb_version",
      "version",
    );
    throwsRule(
      () => validateOmbVersion(OMB_VERSION.replace("http", "https")),
      "omb_version",
      "version",
    );
  });
});
