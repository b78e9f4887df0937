import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { DEFAULT_OPTIONS, FederationOptionError, resolveOptions } from "./options.js";
import { localAvatarFile, missingAvatarWarning } from "./widgets-avatar.js";

const good = {
  siteUrl: "https://blog.example.com/mira/",
  sidecarUrl: "https://fed.example.com/",
  profile: { nickname: "mira" },
};

function problem(widgets: unknown): string {
  try {
    resolveOptions({ ...good, widgets });
  } catch (err) {
    assert.ok(err instanceof FederationOptionError, String(err));
    return err.message;
  }
  assert.fail(`widgets were accepted: ${JSON.stringify(widgets)}`);
}

describe("widgets options", () => {
  it("default to the stylesheet at /federation/widgets.css and avatars left to no transform", () => {
    assert.deepEqual(resolveOptions(good).widgets, DEFAULT_OPTIONS.widgets);
    assert.deepEqual(DEFAULT_OPTIONS.widgets, {
      stylesheet: "/federation/widgets.css",
      transformAvatar: false,
    });
  });

  it("take another path (given a leading slash), null for none, and transformAvatar", () => {
    const o = resolveOptions({
      ...good,
      widgets: { stylesheet: "css/card.css", transformAvatar: true },
    });
    assert.deepEqual(o.widgets, { stylesheet: "/css/card.css", transformAvatar: true });
    assert.equal(
      resolveOptions({ ...good, widgets: { stylesheet: null } }).widgets.stylesheet,
      null,
    );
  });

  const bad: [unknown, RegExp][] = [
    [
      { stylesheet: false },
      /option "widgets\.stylesheet" must be a site path ending in "\.css".*got false\. Fix: .*or null to write no stylesheet/,
    ],
    [{ stylesheet: "/federation/widgets" }, /must be a site path ending in "\.css"/],
    [{ stylesheet: "/federation/" }, /must be a site path ending in "\.css"/],
    [{ stylesheet: "/a b.css" }, /must be a site path ending in "\.css"/],
    [{ stylesheet: "/../widgets.css" }, /must stay inside the site/],
    [{ transformAvatar: "no" }, /option "widgets\.transformAvatar" must be true or false/],
    [
      { styleSheet: "/x.css" },
      /option "widgets\.styleSheet" is not an option.*stylesheet, transformAvatar/,
    ],
    ["yes", /option "widgets" must be an object, got "yes"\. Fix: write widgets: \{/],
  ];
  for (const [widgets, message] of bad) {
    it(`refuse ${JSON.stringify(widgets)}, naming the option and the fix`, () => {
      assert.match(problem(widgets), message);
    });
  }
});

describe("localAvatarFile", () => {
  const site = "https://blog.example.com/mira/";
  it("maps an avatar under the site URL to its file in the output", () => {
    assert.equal(
      localAvatarFile(`${site}img/me%20now.png?v=2`, site, "/out"),
      path.resolve("/out/img/me now.png"),
    );
  });
  it("leaves out images elsewhere, no avatar, and paths that leave the output", () => {
    assert.equal(localAvatarFile("https://cdn.example/me.png", site, "/out"), null);
    assert.equal(localAvatarFile("https://blog.example.com/other/me.png", site, "/out"), null);
    assert.equal(localAvatarFile("", site, "/out"), null);
    assert.equal(localAvatarFile(`${site}%2e%2e/%2e%2e/etc/passwd`, site, "/out"), null);
    assert.equal(localAvatarFile(`${site}%E0%A4%A.png`, site, "/out"), null);
  });
});

describe("missingAvatarWarning", () => {
  let out = "";
  before(async () => {
    out = await mkdtemp(path.join(tmpdir(), "avatar-"));
    await mkdir(path.join(out, "img"));
    await writeFile(path.join(out, "img", "here.png"), "png");
  });
  after(() => rm(out, { recursive: true, force: true }));

  const options = (avatar: string) =>
    resolveOptions({ ...good, profile: { nickname: "mira", avatar } });
  const event = () =>
    ({ runMode: "build", outputMode: "fs", directories: { output: out } }) as const;

  it("warns, naming the avatar, the missing file and the fix", () => {
    const warning = missingAvatarWarning(options("/img/gone.png"), event());
    assert.match(
      warning ?? "",
      /^eleventy-federation: the avatar https:\/\/blog\.example\.com\/mira\/img\/gone\.png \(option profile\.avatar\) is not in the build output: there is no .*gone\.png.*Fix: .*addPassthroughCopy/,
    );
  });

  it("says nothing when the file was built, or the image is elsewhere", () => {
    assert.equal(missingAvatarWarning(options("/img/here.png"), event()), null);
    assert.equal(missingAvatarWarning(options("https://cdn.example/me.png"), event()), null);
    assert.equal(missingAvatarWarning(options(""), event()), null);
  });

  it("counts a folder at the avatar's path as missing", () => {
    assert.ok(missingAvatarWarning(options("/img"), event()));
  });
});
