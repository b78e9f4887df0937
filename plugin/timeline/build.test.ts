/**
 * Builds small sites in memory (Eleventy's toJSON) with the timeline options and looks at
 * the pages and the global data: pagination, the site's layout, a missing or bad inbox.
 */

import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { InboxExport } from "../../contract/inbox-export.js";
import { buildInMemory } from "../build.test-helper.js";

let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "timeline-build-"));
  await mkdir(path.join(dir, "src", "_includes"), { recursive: true });
  await writeFile(
    path.join(dir, "src", "_includes", "base.njk"),
    "<!doctype html><html><head><title>{{ title }}</title></head><body><main class=site-layout>{{ content | safe }}</main></body></html>",
  );
  await writeFile(
    path.join(dir, "src", "index.njk"),
    "<html><head></head><body>home</body></html>",
  );
  // A template of the site's own that reads the global data.
  await writeFile(
    path.join(dir, "src", "mine.njk"),
    "---\npermalink: /mine/\n---\n{% for e in federationTimeline.entries %}[{{ e.author.nickname }}:{{ e.text | escape }}]{% endfor %}",
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function inboxWith(count: number): InboxExport {
  const uri = "https://bob.example/user/1";
  return {
    version: 1,
    generated: "2026-01-01T00:00:00.000Z",
    following: [
      {
        uri,
        profile: {
          uri,
          profile: "https://bob.example/bob",
          nickname: "bob",
          license: "http://creativecommons.org/licenses/by/3.0/",
          fullname: "Bob B",
          homepage: "",
          bio: "Bob's bio",
          location: "",
          avatar: "",
        },
        since: "2025-12-01T00:00:00.000Z",
      },
    ],
    inbox: Array.from({ length: count }, (_, i) => ({
      uri: `https://bob.example/notice/${i}`,
      listeneeUri: uri,
      content: `notice <${i}>`,
      url: `https://bob.example/notice/${i}`,
      license: "http://creativecommons.org/licenses/by/3.0/",
      receivedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    })).reverse(),
  };
}

function build(options: Record<string, unknown>) {
  return buildInMemory(path.join(dir, "src"), options);
}

describe("timeline pages", () => {
  it("paginate the inbox newest first in the site's layout, with a following page", async () => {
    const file = path.join(dir, "inbox.json");
    await writeFile(file, JSON.stringify(inboxWith(5)));
    const { page, warnings, outputs } = await build({
      inbox: { file },
      timeline: { perPage: 2, layout: "base.njk" },
    });
    assert.deepEqual(warnings, []);
    const texts = (html: string) => [...html.matchAll(/notice &lt;(\d)&gt;/g)].map((m) => m[1]);
    assert.deepEqual(texts(page("/timeline/")), ["4", "3"]);
    assert.deepEqual(texts(page("/timeline/page/2/")), ["2", "1"]);
    assert.deepEqual(texts(page("/timeline/page/3/")), ["0"]);
    assert.ok(!outputs.some((o) => o.url === "/timeline/page/4/"));
    assert.match(
      page("/timeline/"),
      /^<!doctype html><html><head><title>Timeline<\/title>.*<main class=site-layout><section class="federation-timeline/s,
    );
    assert.match(
      page("/timeline/page/2/"),
      /<a rel="prev" href="\/timeline\/">.*Page 2 of 3.*<a rel="next" href="\/timeline\/page\/3\/">/s,
    );
    assert.match(page("/following/"), /<title>Following<\/title>.*Bob B.*Bob&#39;s bio/s);
    assert.equal(
      page("/mine/"),
      "[bob:notice &lt;4&gt;][bob:notice &lt;3&gt;][bob:notice &lt;2&gt;][bob:notice &lt;1&gt;][bob:notice &lt;0&gt;]",
    );
  });

  it("build an empty timeline, with a warning naming the file, when inbox.json is not there yet", async () => {
    const file = path.join(dir, "nowhere-inbox.json");
    const { page, warnings } = await build({ inbox: { file } });
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]?.includes(file), warnings[0]);
    assert.match(page("/timeline/"), /^<!doctype html>.*Nothing here yet/s);
    assert.match(page("/following/"), /Nobody yet/);
    assert.equal(page("/mine/"), "");
  });

  it("stop the build on a bad inbox file, naming the option", async () => {
    const file = path.join(dir, "bad-inbox.json");
    await writeFile(file, JSON.stringify({ version: 1, inbox: "nope" }));
    await assert.rejects(build({ inbox: { file } }), (err: Error) => {
      // Eleventy wraps the error; the plugin's message is in the chain.
      let e: unknown = err;
      const messages: string[] = [];
      while (e instanceof Error) {
        messages.push(e.message);
        e = (e as Error & { originalError?: unknown }).originalError ?? e.cause;
      }
      assert.match(
        messages.join("\n"),
        /option "inbox\.file": .*bad-inbox\.json is not an inbox export/,
      );
      return true;
    });
  });

  it("are left out without an inbox or feeds, but the global data is there", async () => {
    const { outputs, page } = await build({});
    assert.ok(!outputs.some((o) => o.url === "/timeline/" || o.url === "/following/"));
    assert.equal(page("/mine/"), "");
  });
});
