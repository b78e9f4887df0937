/**
 * A hostile interactions export (scripts, event handlers, script and data URLs, styles, bidi
 * overrides, quotes that try to leave an attribute) rendered as the shortcodes render it,
 * from the raw export and through a whole build: every page comes out inert.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Eleventy, type EleventyJsonResult } from "@11ty/eleventy";
import type { InteractionsExport, PostInteractions } from "../../contract/interactions-export.js";
import eleventyFederation from "../index.js";
import { BUTTONS_SCRIPT_PATH } from "./buttons-script.js";
import { indexInteractions } from "./data.js";
import { actor, post, reply, SIDECAR, SITE } from "./export.test-helper.js";
import { renderCounts, renderReplies } from "./html.js";

const RLO = "\u202e";
const BREAKOUT = '"><script>alert("out")</script>';
const BIDI = /[\p{Bidi_Control}]/u;

function hostilePost(): PostInteractions {
  const a = post("a");
  const evil = actor("eve", {
    name: `Eve ${RLO}gnp.exe${BREAKOUT}`,
    handle: `eve${BREAKOUT}@evil.example${RLO}`,
    url: `javascript:alert(1)//${BREAKOUT}`,
    icon: "javascript:alert(2)",
  });
  const first = reply("1", a.objectId, "eve", {
    author: evil,
    url: `https://evil.example/"><script>alert(3)</script>`,
    content: [
      "<p>hi<script>alert(4)</script></p>",
      '<img src=x onerror="alert(5)">',
      '<a href="javascript:alert(6)">js</a>',
      '<a href="data:text/html,<script>alert(7)</script>">data</a>',
      "<style>body{display:none}</style>",
      '<p style="position:fixed;inset:0" onclick="alert(8)">styled</p>',
      '<span class="h-card" onmouseover="alert(9)">x</span>',
      `<p>${RLO}txt.exe</p>`,
      "<svg><script>alert(10)</script></svg><iframe src='https://evil.example/'></iframe>",
    ].join(""),
    summary: `CW ${BREAKOUT}${RLO}`,
    published: BREAKOUT,
  });
  const second = reply("2", first.id, "eve", {
    author: { ...evil, icon: "data:image/svg+xml,<svg onload=alert(11)>", url: "  javascript:x" },
    inReplyTo: first.id,
    url: "data:text/html,hi",
    content: "<p>second</p>",
  });
  const third = reply("3", `javascript:alert(12)${BREAKOUT}`, "mallory", {
    author: actor("mallory", { name: BREAKOUT, handle: undefined, icon: BREAKOUT }),
  });
  return {
    ...a,
    replies: [first, second, third],
    likes: 2,
    boosts: 1,
    likedBy: [evil],
    boostedBy: [evil],
  };
}

function hostileExport(): InteractionsExport {
  return { version: 1, generated: "2026-01-03T00:00:00.000Z", posts: [hostilePost()] };
}

/** A start or end tag, whole: attribute values quoted, with no quote or angle bracket in them. */
const TAG = /^<\/?[a-z][a-z0-9]*(\s+[a-z][a-z0-9-]*(="[^"<>]*")?)*\s*>$/;
const URL_ATTRIBUTES = new Set([
  "href",
  "src",
  "action",
  "value",
  "data-federation-object",
  "data-federation-actor",
]);

/** No live markup from the remote side; `ownScript` is the one script element allowed. */
function assertInert(html: string, ownScript: string | null): void {
  const scripts = html.match(/<script\b[^>]*>/gi) ?? [];
  assert.deepEqual(
    [...new Set(scripts)],
    ownScript ? [ownScript] : [],
    `script elements in:\n${html}`,
  );
  assert.ok(!/<(style|iframe|svg|object|embed)\b/i.test(html), `an active element in:\n${html}`);
  for (const tag of html.match(/<[^>]*>/g) ?? []) {
    assert.match(tag, TAG, "a tag whose attributes are not all cleanly quoted");
    for (const m of tag.matchAll(/\s([a-z][a-z0-9-]*)(?:="([^"]*)")?/g)) {
      const [, name = "", value = ""] = m;
      assert.ok(!name.startsWith("on"), `an event handler in ${tag}`);
      assert.notEqual(name, "style", `a style attribute in ${tag}`);
      if (URL_ATTRIBUTES.has(name) && !(name === "value" && !tag.startsWith("<data"))) {
        assert.match(value, /^(https?:\/\/|\/)/, `a URL that is not http(s) in ${tag}`);
      }
    }
  }
  assert.ok(!/(javascript|data):/i.test(html.replace(/>[^<]*</g, "><")), "a script URL in a tag");
  assert.ok(!BIDI.test(html), "a bidi control character");
  assert.ok(
    !/<img(?![^>]*src="https?:)/.test(html),
    `an image without an http(s) source:\n${html}`,
  );
}

describe("a hostile interactions export", () => {
  it("renders inert from the raw export (the renderer trusts nothing it is given)", () => {
    const html = renderReplies(hostilePost()) + renderCounts(hostilePost());
    assertInert(html, null);
    assert.ok(html.includes("&quot;&gt;&lt;script&gt;alert(&quot;out&quot;)&lt;/script&gt;"));
    // Names and handles are isolated from the text around them, their bidi controls gone.
    assert.match(html, /<bdi class="p-name">Eve gnp\.exe&quot;&gt;&lt;script&gt;/);
    assert.match(
      html,
      /<bdi>@eve&quot;&gt;&lt;script&gt;alert\(&quot;out&quot;\)&lt;\/script&gt;@evil\.example<\/bdi>/,
    );
    assert.match(html, /<summary class="p-summary" dir="auto">CW &quot;&gt;&lt;script&gt;/);
    // The page link stays (a valid https URL, escaped), the script and data URLs are gone.
    assert.ok(
      html.includes('href="https://evil.example/&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"'),
    );
    assert.match(html, /<p>hi<\/p>/);
    assert.match(html, />js<\/a>/);
    assert.ok(!html.includes("alert(4)"));
  });

  it("is cleaned in the federationInteractions data too", () => {
    const data = indexInteractions(hostileExport(), SITE);
    const p = data.byUrl["/posts/a/"];
    assert.ok(p);
    const [first, second] = p.replies;
    assert.ok(first && second);
    assert.ok(!BIDI.test(JSON.stringify(data)));
    assert.equal(first.author.url, "");
    assert.equal(first.author.icon, undefined);
    assert.equal(second.url, "");
    assert.ok(
      !/<script|onerror|onclick|style=|javascript:|data:text/i.test(first.content),
      first.content,
    );
  });

  describe("built into a site", () => {
    let dir: string;
    let pages: EleventyJsonResult[];

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "interactions-hostile-"));
      const src = path.join(dir, "src");
      await mkdir(path.join(src, "_includes"), { recursive: true });
      await writeFile(
        path.join(src, "_includes", "post.njk"),
        "<html><head></head><body>{{ content | safe }}{% federationCounts %}{% federationReplies %}{% federationButtons %}</body></html>",
      );
      await writeFile(path.join(src, "index.njk"), "<html><head></head><body>home</body></html>");
      await mkdir(path.join(src, "posts"));
      await writeFile(
        path.join(src, "posts", "a.md"),
        "---\ntitle: A\ntags: posts\nlayout: post.njk\n---\nMy post.\n",
      );
      const file = path.join(dir, "interactions.json");
      const exported = hostileExport();
      // An object id that is no http(s) URL is not handed to anyone's instance.
      exported.posts[0] = { ...hostilePost(), objectId: `javascript:alert(13)${BREAKOUT}` };
      await writeFile(file, JSON.stringify(exported));
      pages = await new Eleventy(src, path.join(dir, "_site"), {
        quietMode: true,
        configPath: false,
        config: (config: unknown) => {
          (config as { addPlugin(p: unknown, o: unknown): void }).addPlugin(eleventyFederation, {
            siteUrl: SITE,
            sidecarUrl: SIDECAR,
            profile: { nickname: "alice" },
            interactions: { file },
          });
        },
      }).toJSON();
    });

    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("gives a post page with only the buttons' own script", () => {
      const page = pages.find((p) => p.url === "/posts/a/")?.content ?? "";
      assert.match(page, /3 replies/);
      assertInert(page, `<script src="${BUTTONS_SCRIPT_PATH}" defer>`);
      assert.match(
        page,
        /data-federation-object="https:\/\/fed\.alice\.example\/ap\/posts\/[0-9a-f]{32}"/,
      );
    });
  });
});
