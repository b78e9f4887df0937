/**
 * Builds the example site in memory (Eleventy's toJSON: nothing is written) and checks each
 * output the plugin adds. The example config limits template formats to md and njk, so this
 * also proves the plugin's virtual templates survive such a config.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Eleventy, type EleventyJsonResult } from "@11ty/eleventy";
import { MANIFEST_PATH, type Manifest, parseManifest } from "../contract/manifest.js";
import eleventyFederation from "../plugin/index.js";
import { shortId } from "../plugin/short-links.js";
import { codePointLength } from "../protocol/omb/notice-text.js";
import { readXrds } from "../protocol/omb/xrds-read.js";

const SITE = "https://blog.example.org/";
const SIDECAR = "https://fed.example.org/federation";

let outputs: EleventyJsonResult[];
let manifest: Manifest;

function output(url: string): EleventyJsonResult {
  const found = outputs.find((o) => o.url === url);
  assert.ok(found, `no output at ${url}; built: ${outputs.map((o) => o.url).join(", ")}`);
  return found;
}

before(async () => {
  process.env.SITE_URL = SITE;
  process.env.SIDECAR_URL = SIDECAR;
  const elev = new Eleventy(undefined, undefined, {
    configPath: "example-site/eleventy.config.js",
    quietMode: true,
  });
  outputs = await elev.toJSON();
  manifest = parseManifest(JSON.parse(output(MANIFEST_PATH).content), MANIFEST_PATH);
});

describe("example site, built in memory", () => {
  it("publishes an XRDS naming the sidecar's endpoints, with the site as LocalID", () => {
    const xrds = output("/xrds.xml").content;
    const e = readXrds(xrds, `${SITE}xrds.xml`);
    assert.deepEqual(e, {
      localId: SITE,
      request: `${SIDECAR}/omb/requesttoken`,
      authorize: `${SIDECAR}/omb/userauthorization`,
      access: `${SIDECAR}/omb/accesstoken`,
      postNotice: `${SIDECAR}/omb/postnotice`,
      updateProfile: `${SIDECAR}/omb/updateprofile`,
    });
  });

  it("writes a manifest with the profile and the federated posts, newest first", () => {
    assert.equal(manifest.version, 2);
    assert.equal(manifest.profile.uri, SITE);
    assert.equal(manifest.profile.profile, SITE);
    assert.equal(manifest.profile.nickname, "mira");
    assert.equal(manifest.profile.avatar, `${SITE}avatar.png`);
    const posts = outputs.filter((o) => typeof o.url === "string" && o.url.startsWith("/posts/"));
    assert.equal(posts.length, 7);
    assert.equal(manifest.notices.length, 6, "the federate: false post is left out");
    assert.ok(!manifest.notices.some((n) => n.uri.includes("draft-thoughts")));
    const times = manifest.notices.map((n) => Date.parse(n.published));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    for (const n of manifest.notices) {
      assert.equal(n.uri, n.url);
      const post = posts.find((p) => `${SITE}${String(p.url).slice(1)}` === n.url);
      assert.ok(post, `${n.url} is a built post`);
      assert.ok(codePointLength(n.content) <= 140, n.content);
    }
  });

  it("gives each post in the manifest its title, HTML body, summary, tags and language", () => {
    const tokyo = manifest.notices.find((n) => n.url.includes("cafe-creme-tokyo"));
    assert.ok(tokyo);
    assert.equal(tokyo.title, "Café crème ☕ and 東京 notes 🚲👩🏽‍🔧");
    assert.match(
      tokyo.html ?? "",
      /^<p>Tokyo is a cycling city in disguise\. Everyone rides a <em>mamachari<\/em>/,
    );
    assert.doesNotMatch(tokyo.html ?? "", /<html|<head/, "the post body, without the layout");
    assert.match(tokyo.summary ?? "", /^Two weeks in Tokyo/);
    assert.deepEqual(tokyo.tags, ["bikes", "travel"], "the collection tag is not a hashtag");
    assert.equal(typeof tokyo.language, "string");
    assert.equal(tokyo.updated, undefined, "never edited");
  });

  it("uses the notice: override as the whole text", () => {
    const flat = manifest.notices.find((n) => n.url === `${SITE}posts/fixing-a-flat/`);
    assert.equal(
      flat?.content,
      "Flat tyre 40 km from home, no patches, one tube: what I carry now and why.",
    );
  });

  it("builds notices from title, short link, site and teaser, keeping multi-byte text whole", () => {
    const cafe = manifest.notices.find((n) => n.url === `${SITE}posts/cafe-creme-tokyo/`);
    assert.ok(cafe);
    const short = `${SITE}s/${shortId("/posts/cafe-creme-tokyo/")}/`;
    assert.ok(
      cafe.content.startsWith(
        `Café crème ☕ and 東京 notes 🚲👩🏽‍🔧 (${short}) - posted on blog.example.org : Two weeks`,
      ),
      cafe.content,
    );
    const hello = manifest.notices.find((n) => n.url === `${SITE}posts/hello-federated-world/`);
    assert.match(hello?.content ?? "", / : This notebook is now a microblogging profile/);
  });

  it("puts the Yadis meta tag into the home page's head", () => {
    const home = output("/").content;
    const head = home.slice(0, home.indexOf("</head>"));
    assert.ok(head.includes(`<meta http-equiv="X-XRDS-Location" content="${SITE}xrds.xml">`), head);
    assert.ok(!output("/about/").content.includes("X-XRDS-Location"), "only the home page");
  });

  it("shows the hCard and the subscribe form on the home page", () => {
    const home = output("/").content;
    assert.match(home, /<div class="vcard[^"]*">/);
    assert.match(home, /<span class="fn p-name">Mira Okafor<\/span>/);
    assert.match(home, new RegExp(`<form [^>]*method="post" action="${SIDECAR}/omb/subscribe">`));
    assert.match(home, /name="profile_url"/);
  });

  it("builds a short link that redirects to each post", () => {
    const posts = outputs.filter((o) => typeof o.url === "string" && o.url.startsWith("/posts/"));
    for (const post of posts) {
      const url = String(post.url);
      const link = output(`/s/${shortId(url)}/`);
      assert.ok(String(link.outputPath).endsWith(`/s/${shortId(url)}/index.html`));
      assert.ok(
        link.content.includes(
          `<meta http-equiv="refresh" content="0; url=${SITE}${url.slice(1)}">`,
        ),
        link.content,
      );
    }
    for (const n of manifest.notices) {
      const m = /https:\/\/blog\.example\.org(\/s\/[0-9a-z]+\/)/.exec(n.content);
      if (m?.[1])
        assert.ok(output(m[1]).content.includes(`url=${n.url}`), `${m[1]} leads to ${n.url}`);
    }
  });
});

describe("plugin registration", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "eleventy-federation-"));
    await writeFile(
      path.join(dir, "index.md"),
      "---\ntitle: Home\n---\n<html><head></head><body>hi</body></html>\n",
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const options = {
    siteUrl: "https://a.example/",
    sidecarUrl: "https://a.example/",
    profile: { nickname: "a" },
  };

  it("is unique: adding it twice builds each output once", async () => {
    const elev = new Eleventy(dir, path.join(dir, "_site"), {
      configPath: false,
      quietMode: true,
      config: (cfg) => {
        const c = cfg as { addPlugin(p: unknown, o: unknown): void };
        c.addPlugin(eleventyFederation, options);
        c.addPlugin(eleventyFederation, options);
      },
    });
    const out = await elev.toJSON();
    assert.equal(out.filter((o) => o.url === "/xrds.xml").length, 1);
    const m = parseManifest(
      JSON.parse(out.find((o) => o.url === MANIFEST_PATH)?.content ?? ""),
      "test",
    );
    assert.deepEqual(m.notices, [], "a site without posts has an empty manifest");
  });

  it("builds no short links when they are turned off, and notices link the post itself", async () => {
    const site = await mkdtemp(path.join(tmpdir(), "eleventy-federation-"));
    try {
      await writeFile(path.join(site, "index.md"), "<html><head></head><body>hi</body></html>\n");
      await writeFile(
        path.join(site, "p.md"),
        "---\ntitle: A post\ntags: posts\ndate: 2024-01-01\n---\nText.\n",
      );
      const elev = new Eleventy(site, path.join(site, "_site"), {
        configPath: false,
        quietMode: true,
        config: (cfg) =>
          (cfg as { addPlugin(p: unknown, o: unknown): void }).addPlugin(eleventyFederation, {
            ...options,
            shortLinks: false,
          }),
      });
      const out = await elev.toJSON();
      assert.ok(!out.some((o) => String(o.url).startsWith("/s/")), "no short link pages");
      const m = parseManifest(
        JSON.parse(out.find((o) => o.url === MANIFEST_PATH)?.content ?? ""),
        "test",
      );
      assert.equal(
        m.notices[0]?.content,
        "A post (https://a.example/p/) - posted on a.example : Text.",
      );
    } finally {
      await rm(site, { recursive: true, force: true });
    }
  });

  it("stops the build on a bad option with a message naming it", async () => {
    const elev = new Eleventy(dir, path.join(dir, "_site"), {
      configPath: false,
      quietMode: true,
      config: (cfg) =>
        (cfg as { addPlugin(p: unknown, o: unknown): void }).addPlugin(eleventyFederation, {
          ...options,
          profile: { nickname: "Bob Smith" },
        }),
    });
    await assert.rejects(elev.toJSON(), (err: unknown) => {
      const messages: string[] = [];
      // Eleventy wraps plugin errors; the original hangs on `originalError`.
      for (
        let e = err;
        e instanceof Error;
        e = (e as Error & { originalError?: unknown }).originalError ?? e.cause
      ) {
        messages.push(e.message);
      }
      assert.match(
        messages.join("\n"),
        /option "profile\.nickname" must be 1–64 ASCII letters or digits, got "Bob Smith"\. Fix:/,
      );
      return true;
    });
  });
});
