/** Short-link pages built to disk: the same bytes at the same paths as Eleventy's own pages, no dry-run writes, no silent overwrite. */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Eleventy, type EleventyJsonResult } from "@11ty/eleventy";
import eleventyFederation from "../plugin/index.js";
import { absoluteUrl } from "../plugin/posts.js";
import { ShortLinkPages, shortLinkFile } from "../plugin/short-link-pages.js";
import { shortId, shortLinkHtml } from "../plugin/short-links.js";

const SITE = "https://a.example/";
const options = { siteUrl: SITE, sidecarUrl: SITE, profile: { nickname: "a" } };

let site: string;

function eleventy(output: string, extra: Record<string, unknown> = {}): Eleventy {
  return new Eleventy(site, output, {
    configPath: false,
    quietMode: true,
    config: (cfg) =>
      (cfg as { addPlugin(p: unknown, o: unknown): void }).addPlugin(eleventyFederation, {
        ...options,
        ...extra,
      }),
  });
}

const post = (title: string, more = "") =>
  `---\ntitle: ${title}\ntags: posts\ndate: 2024-01-01\n${more}---\nText of ${title}.\n`;

before(async () => {
  site = await mkdtemp(path.join(tmpdir(), "eleventy-federation-sl-"));
  await mkdir(path.join(site, "posts"));
  await writeFile(path.join(site, "index.md"), "<html><head></head><body>hi</body></html>\n");
  await writeFile(path.join(site, "posts", "one.md"), post("One"));
  await writeFile(path.join(site, "posts", "two.md"), post("Two", "shortId: two\n"));
  await writeFile(path.join(site, "posts", "café.md"), post("Café"));
  await writeFile(path.join(site, "posts", "hidden.md"), post("Hidden", "permalink: false\n"));
});
after(() => rm(site, { recursive: true, force: true }));

describe("short-link pages written to disk", () => {
  it("puts each page where toJSON() says, with the same bytes, and no others", async () => {
    const json: EleventyJsonResult[] = await eleventy(path.join(site, "_json")).toJSON();
    const links = json.filter((o) => String(o.url).startsWith("/s/"));
    const posts = json.filter((o) => String(o.url).startsWith("/posts/"));
    assert.equal(posts.length, 3, "the permalink: false post has no page");
    assert.equal(links.length, 3);
    const output = path.join(site, "_site");
    await eleventy(output).write();
    const ids = posts.map((p) => (p.url === "/posts/two/" ? "two" : shortId(String(p.url))));
    assert.deepEqual((await readdir(path.join(output, "s"))).sort(), [...ids].sort());
    for (const [i, p] of posts.entries()) {
      const url = `/s/${ids[i]}/`;
      const link = links.find((o) => o.url === url);
      assert.ok(link, `toJSON() has ${url}`);
      const onDisk = await readFile(path.join(output, "s", String(ids[i]), "index.html"), "utf8");
      assert.equal(onDisk, link.content, `${url} is the same page on disk and in toJSON()`);
      assert.equal(onDisk, shortLinkHtml(absoluteUrl(SITE, String(p.url))));
    }
  });

  it("writes no page in a dry run, nor with shortLinks: false", async () => {
    const dry = path.join(site, "_dry");
    const elev = eleventy(dry);
    // Not in plugin/eleventy-module.d.ts; Eleventy 3 src/Eleventy.js setDryRun (CLI --dryrun).
    (elev as unknown as { setDryRun(dry: boolean): void }).setDryRun(true);
    await elev.write();
    await assert.rejects(readdir(path.join(dry, "s")), { code: "ENOENT" });
    const off = path.join(site, "_off");
    await eleventy(off, { shortLinks: false }).write();
    await assert.rejects(readdir(path.join(off, "s")), { code: "ENOENT" });
  });

  it("stops the build when a page of the site is written at a short link's path", async () => {
    const clash = path.join(site, "clash.md");
    await writeFile(clash, "---\npermalink: /s/two/\n---\nMine.\n");
    try {
      await assert.rejects(eleventy(path.join(site, "_clash")).write(), (err: unknown) => {
        const messages: string[] = [];
        for (
          let e = err;
          e instanceof Error;
          e = (e as Error & { originalError?: unknown }).originalError ?? e.cause
        ) {
          messages.push(e.message);
        }
        assert.match(
          messages.join("\n"),
          /clash\.md is written to .*which is the short link \/s\/two\/\. Fix:/,
        );
        return true;
      });
    } finally {
      await rm(clash);
    }
  });
});

describe("ShortLinkPages", () => {
  const page = (id: string, target: string) => ({ url: `/s/${id}/`, target });
  let out: string;
  before(async () => {
    out = await mkdtemp(path.join(tmpdir(), "eleventy-federation-slp-"));
  });
  after(() => rm(out, { recursive: true, force: true }));

  const build = (incremental: boolean) => ({
    outputMode: "fs" as const,
    runMode: "watch" as const,
    incremental,
    directories: { output: out },
    results: [{ inputPath: "./index.md", outputPath: path.join(out, "index.html") }],
  });

  it("rewrites only changed pages in an incremental build, every page in a full one", async () => {
    const pages = new ShortLinkPages();
    pages.start({ outputMode: "fs" });
    pages.collect([page("a", `${SITE}a/`), page("b", `${SITE}b/`)]);
    assert.equal(pages.write(build(false)), 2);
    assert.equal(pages.write(build(true)), 0, "nothing changed");
    pages.collect([page("a", `${SITE}a/`), page("b", `${SITE}b2/`)]);
    assert.equal(pages.write(build(true)), 1);
    assert.equal(
      await readFile(path.join(out, "s/b/index.html"), "utf8"),
      shortLinkHtml(`${SITE}b2/`),
    );
    assert.equal(pages.write(build(false)), 2);
    const once = new ShortLinkPages();
    once.start({ outputMode: "fs" });
    once.collect([page("a", `${SITE}a/`)]);
    assert.equal(once.write({ ...build(false), runMode: "build" }), 1);
    assert.equal(
      once.write({ ...build(true), runMode: "build" }),
      1,
      "a one-off build keeps no copy",
    );
  });

  it("writes nothing for json output or when Eleventy wrote no template", async () => {
    const pages = new ShortLinkPages();
    pages.start({ outputMode: "json" });
    assert.equal(pages.toDisk, false);
    pages.collect([page("c", `${SITE}c/`)]);
    assert.equal(pages.write({ ...build(false), outputMode: "json" }), 0);
    pages.start({ outputMode: "fs" });
    pages.collect([page("c", `${SITE}c/`)]);
    assert.equal(pages.write({ ...build(false), results: [] }), 0);
    await assert.rejects(readFile(path.join(out, "s/c/index.html")), { code: "ENOENT" });
  });

  it("maps a URL to its file inside the output folder and refuses one outside", () => {
    assert.equal(shortLinkFile("/o", "/s/abc/"), path.resolve("/o/s/abc/index.html"));
    assert.throws(() => shortLinkFile("/o", "/../abc/"), /outside the output folder/);
  });
});
