import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_LICENSE } from "../protocol/omb/constants.js";
import { DEFAULT_OPTIONS, FederationOptionError, resolveOptions } from "./options.js";
import { profileSchema } from "./options-schema.js";

const good = {
  siteUrl: "https://Blog.Example.com/mira",
  sidecarUrl: "https://fed.example.com",
  profile: { nickname: "mira" },
};

/** Resolves options that must fail; returns the error for a closer look. */
function failure(options: unknown): FederationOptionError {
  try {
    resolveOptions(options);
  } catch (err) {
    assert.ok(err instanceof FederationOptionError, `expected FederationOptionError, got ${err}`);
    return err;
  }
  assert.fail(`options were accepted: ${JSON.stringify(options)}`);
}

describe("resolveOptions", () => {
  it("fills defaults and normalises URLs", () => {
    const o = resolveOptions(good);
    assert.equal(o.siteUrl, "https://blog.example.com/mira/");
    assert.equal(o.sidecarUrl, "https://fed.example.com/");
    assert.equal(o.profile.homepage, "https://blog.example.com/mira/");
    assert.equal(o.profile.license, DEFAULT_LICENSE);
    assert.equal(o.collection, "posts");
    assert.equal(o.shortLinkPrefix, "/s/");
    assert.equal(o.shortLinks, true);
    assert.equal(o.openid, null);
    assert.equal(o.hook, null);
  });

  it("resolves a site-relative avatar and normalises the short-link prefix", () => {
    const o = resolveOptions({
      ...good,
      profile: { nickname: "mira", avatar: "/me.png" },
      shortLinkPrefix: "go",
    });
    assert.equal(o.profile.avatar, "https://blog.example.com/mira/me.png");
    assert.equal(o.shortLinkPrefix, "/go/");
  });

  it("fills the hook placeholder's defaults", () => {
    const o = resolveOptions({ ...good, hook: {} });
    assert.deepEqual(o.hook, {
      url: "https://fed.example.com/hooks/deploy",
      secretEnv: "FEDERATION_HOOK_SECRET",
    });
  });

  it("checks every profile field the defaults document", () => {
    assert.deepEqual(
      Object.keys(profileSchema.shape).sort(),
      Object.keys(DEFAULT_OPTIONS.profile).sort(),
    );
  });

  const bad: [string, unknown, RegExp][] = [
    ["siteUrl", { ...good, siteUrl: undefined }, /must be an absolute http\(s\) URL, got nothing/],
    ["siteUrl", { ...good, siteUrl: "blog.example.com" }, /absolute http\(s\) URL/],
    ["siteUrl", { ...good, siteUrl: "ftp://blog.example.com/" }, /http or https/],
    ["siteUrl", { ...good, siteUrl: "https://blog.example.com/?p=1" }, /query or fragment/],
    [
      "siteUrl",
      { ...good, siteUrl: "https://my_blog.example.com/" },
      /not a URL that OMB servers accept/,
    ],
    ["sidecarUrl", { ...good, sidecarUrl: 8080 }, /absolute http\(s\) URL, got 8080/],
    ["profile", { ...good, profile: undefined }, /is required/],
    [
      "profile.nickname",
      { ...good, profile: { nickname: "Bob Smith" } },
      /1–64 ASCII letters or digits, got "Bob Smith"\. Fix: use only a-z and 0-9, e\.g\. "bobsmith"/,
    ],
    ["profile.nickname", { ...good, profile: { nickname: "Bob" } }, /must be lowercase/],
    [
      "profile.bio",
      { ...good, profile: { nickname: "m", bio: "é".repeat(71) } },
      /at most 140 bytes/,
    ],
    ["profile.fullname", { ...good, profile: { nickname: "m", fullname: 7 } }, /must be text/],
    [
      "profile.avatar",
      { ...good, profile: { nickname: "m", avatar: "me.png" } },
      /absolute http\(s\) URL/,
    ],
    [
      "profile.license",
      { ...good, profile: { nickname: "m", license: "CC-BY" } },
      /absolute http\(s\) URL/,
    ],
    ["profile.nick", { ...good, profile: { nickname: "m", nick: "m" } }, /not an option/],
    ["collection", { ...good, collection: "" }, /non-empty string/],
    [
      "noticeTemplate",
      { ...good, noticeTemplate: "{title} {link}" },
      /unknown placeholder \{link\}/,
    ],
    ["shortLinkPrefix", { ...good, shortLinkPrefix: "/" }, /must be a path/],
    ["shortLinkPrefix", { ...good, shortLinkPrefix: "/s?x/" }, /must be a path/],
    [
      "openid.server",
      { ...good, openid: { delegate: "https://id.example/" } },
      /absolute http\(s\) URL/,
    ],
    [
      "hook.secretEnv",
      { ...good, hook: { secretEnv: "s3cr3t value" } },
      /name of an environment variable/,
    ],
    ["hook.url", { ...good, hook: { url: "nope" } }, /absolute http\(s\) URL/],
    ["siteURL", { ...good, siteURL: "https://x.example/" }, /not an option of this plugin/],
  ];
  for (const [option, options, message] of bad) {
    it(`names "${option}" when it is wrong (${message.source.slice(0, 40)})`, () => {
      const err = failure(options);
      assert.equal(err.option, option);
      const line = err.message.split("\n").find((l) => l.includes(`option "${option}"`));
      assert.ok(line, err.message);
      assert.match(line, /^eleventy-federation: option "[^"]+" .+\. Fix: .+/);
      assert.match(line, message);
    });
  }

  it("reports every bad option at once", () => {
    const err = failure({ sidecarUrl: "x", profile: { nickname: "" } });
    assert.deepEqual(
      err.problems.map((p) => p.option),
      ["siteUrl", "sidecarUrl", "profile.nickname"],
    );
  });

  it("rejects options that are not an object", () => {
    assert.equal(failure("https://x.example/").option, "(options)");
  });
});
