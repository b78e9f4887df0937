/**
 * The widgets in a real build to disk: the stylesheet the plugin writes, the warning for an
 * avatar missing from the output, and the card's image kept out of an image transform.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Eleventy } from "@11ty/eleventy";
import eleventyFederation from "../plugin/index.js";
import { WIDGETS_CSS } from "../plugin/widgets-stylesheet.js";

interface ImgNode {
  attrs?: Record<string, string | undefined>;
}
interface Tree {
  match(selector: { tag: string }, fn: (node: ImgNode) => ImgNode): void;
}
interface Config {
  logger: object;
  addPlugin(plugin: unknown, options: unknown): void;
  addPassthroughCopy(from: Record<string, string>): void;
  htmlTransformer: {
    addPosthtmlPlugin(extensions: string, plugin: () => (tree: Tree) => Tree): void;
  };
}

/** Where the stand-in transform points an <img> it processes. */
const TRANSFORMED = "/img/transformed.webp";

/**
 * A stand-in for @11ty/eleventy-img's HTML transform (not a dependency of this project), with
 * its rule for `eleventy:ignore` (src/transform-plugin.js, isIgnored and cleanTag): an <img>
 * carrying it is left alone and loses its `eleventy:` attributes; any other is rewritten.
 */
function imageTransformStandIn(config: Config): void {
  config.htmlTransformer.addPosthtmlPlugin("html", () => (tree) => {
    tree.match({ tag: "img" }, (node) => {
      const attrs = node.attrs ?? {};
      if (attrs["eleventy:ignore"] !== undefined) {
        for (const key of Object.keys(attrs)) if (key.startsWith("eleventy:")) delete attrs[key];
      } else attrs.src = TRANSFORMED;
      return node;
    });
    return tree;
  });
}

let dir = "";
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "widgets-build-"));
  await writeFile(
    path.join(dir, "index.njk"),
    "<html><head></head><body>{% federationProfile %}\n{% federationSubscribe %}</body></html>\n",
  );
  await writeFile(path.join(dir, "me.png"), "not really a png");
});
after(() => rm(dir, { recursive: true, force: true }));

/** Builds the site to `<dir>/<name>` with these plugin options; returns what it wrote and warned. */
async function build(name: string, options: Record<string, unknown>) {
  const output = path.join(dir, name);
  const warnings: string[] = [];
  const elev = new Eleventy(dir, output, {
    quietMode: true,
    configPath: false,
    config: (c: unknown) => {
      const config = c as Config;
      config.logger = Object.assign(Object.create(config.logger), {
        warn: (m: string) => warnings.push(m),
      });
      config.addPassthroughCopy({ [path.join(dir, "me.png")]: "me.png" });
      config.addPlugin(eleventyFederation, {
        siteUrl: "https://alice.example/",
        sidecarUrl: "https://alice.example/",
        ...options,
      });
      // As eleventy-img is added: a plugin (Eleventy gives plugins its HTML transformer).
      config.addPlugin(imageTransformStandIn, {});
    },
  });
  await elev.write();
  const home = await readFile(path.join(output, "index.html"), "utf8");
  return { output, home, warnings: warnings.filter((w) => w.includes("eleventy-federation")) };
}

describe("widgets, built to disk", () => {
  it("writes the stylesheet, keeps the avatar out of the image transform, and warns of nothing", async () => {
    const { output, home, warnings } = await build("default", {
      profile: { nickname: "alice", fullname: "Alice Example", avatar: "/me.png" },
    });
    assert.equal(await readFile(path.join(output, "federation/widgets.css"), "utf8"), WIDGETS_CSS);
    const img = /<img [^>]*>/.exec(home)?.[0] ?? "";
    assert.match(img, /src="https:\/\/alice\.example\/me\.png"/, home);
    assert.ok(!img.includes("eleventy:ignore"), `the transform removes the mark: ${img}`);
    assert.match(home, /Alice Example<\/span><\/a> <span class="federation-profile-nickname">@/);
    assert.deepEqual(warnings, []);
  });

  it("warns when the avatar is missing; transformAvatar lets the transform have it; no stylesheet when null", async () => {
    const { output, home, warnings } = await build("options", {
      profile: { nickname: "alice", avatar: "/gone.png" },
      widgets: { stylesheet: null, transformAvatar: true },
    });
    assert.equal(existsSync(path.join(output, "federation/widgets.css")), false);
    assert.match(/<img [^>]*>/.exec(home)?.[0] ?? "", new RegExp(`src="${TRANSFORMED}"`));
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(
      warnings[0] ?? "",
      /the avatar https:\/\/alice\.example\/gone\.png \(option profile\.avatar\) is not in the build output/,
    );
    assert.ok(warnings[0]?.includes(path.join(output, "gone.png")), warnings[0]);
  });

  it("writes the stylesheet where widgets.stylesheet says", async () => {
    const { output } = await build("elsewhere", {
      profile: { nickname: "alice" },
      widgets: { stylesheet: "/css/federation.css" },
    });
    assert.equal(await readFile(path.join(output, "css/federation.css"), "utf8"), WIDGETS_CSS);
  });
});
