/**
 * The manifest says how Eleventy was run: `eleventy --serve` / `--watch` builds drafts that a
 * production build drops (as the eleventy-base-blog starter does), so its manifest carries
 * `runMode` and the sidecar refuses it; a build's manifest has no such field.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Eleventy } from "@11ty/eleventy";
import { MANIFEST_PATH, manifestRunMode, parseManifest } from "../contract/manifest.js";
import eleventyFederation from "../plugin/index.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-mode-"));
  await mkdir(path.join(dir, "posts"));
  await writeFile(path.join(dir, "index.md"), "<html><head></head><body>home</body></html>\n");
  const post = (slug: string, front: string) =>
    writeFile(
      path.join(dir, "posts", `${slug}.md`),
      `---\ntags: posts\ndate: 2024-05-01\n${front}\n---\nText of ${slug}.\n`,
    );
  await post("published", "title: Published");
  await post("secret-draft", "title: Secret draft\ndraft: true");
});
after(() => rm(dir, { recursive: true, force: true }));

/** The manifest Eleventy builds in `runMode`, with drafts dropped only in builds. */
async function manifestIn(runMode: "build" | "serve" | "watch") {
  const elev = new Eleventy(dir, path.join(dir, "_site"), {
    configPath: false,
    quietMode: true,
    runMode,
    config: (cfg) => {
      const c = cfg as {
        addPlugin(p: unknown, o: unknown): void;
        addPreprocessor(
          name: string,
          types: string,
          fn: (data: { draft?: boolean }) => unknown,
        ): void;
      };
      c.addPlugin(eleventyFederation, {
        siteUrl: "https://a.example/",
        sidecarUrl: "https://a.example/",
        profile: { nickname: "a" },
      });
      // What the starter blog does: drafts are dropped in production builds only.
      c.addPreprocessor("drafts", "*", (data) =>
        data.draft && process.env.ELEVENTY_RUN_MODE === "build" ? false : undefined,
      );
    },
  });
  const outputs = await elev.toJSON();
  const text = outputs.find((o) => o.url === MANIFEST_PATH)?.content;
  assert.ok(text, `no manifest built in ${runMode} mode`);
  return { text, manifest: parseManifest(JSON.parse(text), `${runMode} manifest`) };
}

describe("the manifest's run mode", () => {
  it("a serve or watch run marks its manifest (which has the draft)", async () => {
    for (const mode of ["serve", "watch"] as const) {
      const { manifest } = await manifestIn(mode);
      assert.equal(manifest.runMode, mode);
      assert.ok(
        manifest.notices.some((n) => n.uri.includes("secret-draft")),
        `the ${mode} run built the draft: why its manifest must not be synced`,
      );
    }
  });

  it("a build writes no run mode (the bytes of manifests before the field) and no draft", async () => {
    const { text, manifest } = await manifestIn("build");
    assert.ok(!text.includes("runMode"), "a build's manifest has no runMode field");
    assert.equal(manifestRunMode(manifest), "build");
    assert.deepEqual(
      manifest.notices.map((n) => n.uri),
      ["https://a.example/posts/published/"],
    );
  });
});
