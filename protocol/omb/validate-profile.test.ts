/** validateNickname and validateProfile: each profile field's rule and the error it gives. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OmbProfile } from "./profile.js";
import { LIBOMB_URL_SCHEMES, type OmbRule, validateNickname, validateProfile } from "./validate.js";
import { throwsRule } from "./validate.test-helper.js";

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
