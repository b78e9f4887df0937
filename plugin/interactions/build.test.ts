/**
 * Builds a small site in memory (Eleventy's toJSON) with the interactions option and looks at
 * the post pages, the script file and the global data; from a file and from the sidecar's
 * signed endpoint (a stand-in on loopback), read once per build.
 */

import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { apUrl, postObjectKey } from "../../contract/activitypub-paths.js";
import {
  HOOK_SIGNATURE_HEADER,
  HOOK_TIMESTAMP_HEADER,
  verifyHook,
} from "../../contract/hook-signature.js";
import {
  INTERACTIONS_JSON_PATH,
  INTERACTIONS_JSON_SIGNED_TEXT,
} from "../../contract/interactions-export.js";
import { buildInMemory } from "../build.test-helper.js";
import { BUTTONS_SCRIPT, BUTTONS_SCRIPT_PATH } from "./buttons-script.js";
import { SIDECAR, SITE, sampleExport } from "./export.test-helper.js";

const SECRET = "interactions-test-secret";
let dir: string;
let file: string;
let server: Server;
let endpoint: string;
let requests = 0;

/**
 * The site's sources, written anew for each build: Eleventy 3.1 keeps layouts across
 * instances by path, and a layout an earlier build compiled calls that build's shortcodes.
 */
async function writeSite(): Promise<string> {
  const src = await mkdtemp(path.join(dir, "src-"));
  await mkdir(path.join(src, "_includes"), { recursive: true });
  await mkdir(path.join(src, "posts"), { recursive: true });
  await writeFile(
    path.join(src, "_includes", "post.njk"),
    "<html><head></head><body><article>{{ content | safe }}</article>{% federationCounts %}{% federationReplies %}{% federationButtons %}</body></html>",
  );
  await writeFile(path.join(src, "index.njk"), "<html><head></head><body>home</body></html>");
  for (const slug of ["a", "b", "c"]) {
    await writeFile(
      path.join(src, "posts", `${slug}.md`),
      `---\ntitle: Post ${slug}\ntags: posts\nlayout: post.njk\ndate: 2026-01-01\n---\nBody of ${slug}.\n`,
    );
  }
  await writeFile(
    path.join(src, "posts", "draft.md"),
    "---\ntitle: Draft\ntags: posts\nlayout: post.njk\nfederate: false\n---\nNot federated.\n",
  );
  // A layout of the site's own, reading the global data by page path and by URI.
  await writeFile(
    path.join(src, "mine.njk"),
    "---\npermalink: /mine/\n---\n{% set a = federationInteractions.byUrl['/posts/a/'] %}{{ a.likes }}|{{ federationInteractions.byUri['https://alice.example/posts/b/'].likes }}|{{ federationInteractions.posts.length }}|{% federationCounts '/posts/a/' %}",
  );
  return src;
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "interactions-build-"));
  file = path.join(dir, "interactions.json");
  await writeFile(file, JSON.stringify(sampleExport()));

  server = createServer((req, res) => {
    requests++;
    const check = verifyHook(
      SECRET,
      INTERACTIONS_JSON_SIGNED_TEXT,
      req.headers[HOOK_TIMESTAMP_HEADER] as string | undefined,
      req.headers[HOOK_SIGNATURE_HEADER] as string | undefined,
    );
    if (req.url !== INTERACTIONS_JSON_PATH || !check.ok) {
      res.writeHead(401).end("refused: signature does not match");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(sampleExport()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}${INTERACTIONS_JSON_PATH}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function build(options: Record<string, unknown>) {
  return buildInMemory(await writeSite(), options, { siteUrl: SITE, sidecarUrl: SIDECAR });
}

const repliesOn = (html: string) => [...html.matchAll(/<p>reply (\d)<\/p>/g)].map((m) => m[1]);

describe("a site built with interactions", () => {
  it("shows each post's replies and counts on its own page only, and buttons on every post", async () => {
    const { page, warnings, outputs } = await build({ interactions: { file } });
    assert.deepEqual(warnings, []);
    assert.deepEqual(repliesOn(page("/posts/a/")), ["1", "2", "4", "3"]);
    assert.match(page("/posts/a/"), /3 likes<\/span> · <span class="federation-boosts">1 boost/);
    assert.deepEqual(repliesOn(page("/posts/b/")), []);
    assert.match(page("/posts/b/"), /<p class="federation-counts"><span[^>]*>1 like<\/span><\/p>/);
    assert.ok(!page("/posts/c/").includes("federation-counts"));
    assert.ok(!page("/posts/c/").includes("federation-replies"));
    // Post c has no entry yet: its object id is the one the sidecar gives it, from its URI.
    const cObject = apUrl(SIDECAR, "post", { id: postObjectKey(`${SITE}posts/c/`) });
    assert.ok(page("/posts/c/").includes(`data-federation-object="${cObject}"`));
    assert.ok(
      page("/posts/a/").includes(`data-federation-object="${sampleExport().posts[0]?.objectId}"`),
    );
    assert.ok(page("/posts/a/").includes(`data-federation-actor="${SIDECAR}ap/users/alice"`));
    assert.ok(page("/posts/a/").includes(`action="${SIDECAR}omb/subscribe"`));
    // A post kept out of federation has no object to interact with.
    assert.ok(!page("/posts/draft/").includes("federation-buttons"));
    assert.equal(page(BUTTONS_SCRIPT_PATH), BUTTONS_SCRIPT);
    assert.ok(outputs.some((o) => o.url === BUTTONS_SCRIPT_PATH));
    assert.equal(
      page("/mine/"),
      '3|1|2|<p class="federation-counts"><span class="federation-likes">3 likes</span> · <span class="federation-boosts">1 boost</span></p>',
    );
  });

  it("reads the sidecar's signed endpoint once per build", async () => {
    process.env.INTERACTIONS_TEST_SECRET = SECRET;
    requests = 0;
    const { page } = await build({
      interactions: { url: endpoint, secretEnv: "INTERACTIONS_TEST_SECRET" },
    });
    assert.equal(requests, 1);
    assert.deepEqual(repliesOn(page("/posts/a/")), ["1", "2", "4", "3"]);
  });

  it("renders nothing, writes no script and warns of nothing without the option", async () => {
    const { page, warnings, outputs } = await build({});
    assert.deepEqual(warnings, []);
    for (const slug of ["a", "b", "c"]) {
      assert.match(page(`/posts/${slug}/`), /<\/article><\/body>/);
    }
    assert.ok(!outputs.some((o) => o.url === BUTTONS_SCRIPT_PATH));
    assert.equal(page("/mine/"), "||0|");
  });

  it("warns, naming the file, and shows none when interactions.json is not there yet", async () => {
    const missing = path.join(dir, "nowhere-interactions.json");
    const { page, warnings } = await build({ interactions: { file: missing } });
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]?.includes(missing), warnings[0]);
    assert.match(warnings[0] ?? "", /option "interactions\.file"/);
    assert.deepEqual(repliesOn(page("/posts/a/")), []);
    assert.match(page("/posts/a/"), /federation-buttons/);
  });

  it("stops the build on a bad export, naming the option", async () => {
    const bad = path.join(dir, "bad-interactions.json");
    await writeFile(bad, JSON.stringify({ version: 1, generated: "x", posts: [{ uri: 1 }] }));
    await assert.rejects(build({ interactions: { file: bad } }), (err: Error) => {
      let e: unknown = err;
      const messages: string[] = [];
      while (e instanceof Error) {
        messages.push(e.message);
        e = (e as Error & { originalError?: unknown }).originalError ?? e.cause;
      }
      assert.match(
        messages.join("\n"),
        /option "interactions\.file": .*bad-interactions\.json is not an interactions export of this version: posts\.0\.uri/,
      );
      return true;
    });
  });
});
