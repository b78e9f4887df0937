import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FederationOptionError, resolveOptions } from "../options.js";

const good = {
  siteUrl: "https://blog.example.com/",
  sidecarUrl: "https://fed.example.com/base",
  profile: { nickname: "mira" },
};

/** The options named by the problems of a failing resolve. */
function badOptions(extra: Record<string, unknown>): string[] {
  try {
    resolveOptions({ ...good, ...extra });
  } catch (err) {
    assert.ok(err instanceof FederationOptionError, String(err));
    assert.match(err.message, /^eleventy-federation: option "/);
    return err.problems.map((p) => p.option);
  }
  assert.fail(`accepted: ${JSON.stringify(extra)}`);
}

describe("timeline options", () => {
  it("default to no inbox, no feeds and the documented page settings", () => {
    const o = resolveOptions(good);
    assert.equal(o.inbox, null);
    assert.deepEqual(o.feeds, []);
    assert.equal(o.feedsCache, "1h");
    assert.equal(o.feedsCacheDirectory, ".cache");
    assert.deepEqual(o.timeline, {
      perPage: 20,
      path: "/timeline/",
      followingPath: "/following/",
      layout: null,
    });
  });

  it("read the inbox from a file, or from the sidecar's signed endpoint", () => {
    assert.deepEqual(resolveOptions({ ...good, inbox: { file: "data/inbox.json" } }).inbox, {
      kind: "file",
      path: "data/inbox.json",
    });
    assert.deepEqual(resolveOptions({ ...good, inbox: { url: true } }).inbox, {
      kind: "url",
      url: "https://fed.example.com/base/admin/inbox.json",
      secretEnv: "FEDERATION_HOOK_SECRET",
    });
    assert.deepEqual(
      resolveOptions({
        ...good,
        inbox: { url: "http://127.0.0.1:9/admin/inbox.json", secretEnv: "MY_SECRET" },
      }).inbox,
      { kind: "url", url: "http://127.0.0.1:9/admin/inbox.json", secretEnv: "MY_SECRET" },
    );
  });

  it("fill each feed's limit and name, and normalise the page paths", () => {
    const o = resolveOptions({
      ...good,
      feeds: [
        { url: "https://a.example/feed.xml" },
        { url: "http://b.example/atom", name: " B ", limit: 3 },
      ],
      feedsCache: "30m",
      timeline: { perPage: 5, path: "news", followingPath: "/people", layout: "base.njk" },
    });
    assert.deepEqual(o.feeds, [
      { url: "https://a.example/feed.xml", name: null, limit: 10 },
      { url: "http://b.example/atom", name: "B", limit: 3 },
    ]);
    assert.equal(o.feedsCache, "30m");
    assert.deepEqual(o.timeline, {
      perPage: 5,
      path: "/news/",
      followingPath: "/people/",
      layout: "base.njk",
    });
  });

  it("refuse bad values, naming each option", () => {
    assert.deepEqual(badOptions({ inbox: "inbox.json" }), ["inbox"]);
    assert.deepEqual(badOptions({ inbox: {} }), ["inbox"]);
    assert.deepEqual(badOptions({ inbox: { file: "a.json", url: true } }), ["inbox"]);
    assert.deepEqual(badOptions({ inbox: { file: "" } }), ["inbox.file"]);
    assert.deepEqual(badOptions({ inbox: { url: "ftp://x.example/" } }), ["inbox.url"]);
    assert.deepEqual(badOptions({ inbox: { url: true, secretEnv: "not a name" } }), [
      "inbox.secretEnv",
    ]);
    assert.deepEqual(badOptions({ inbox: { file: "a.json", path: "b" } }), ["inbox.path"]);
    assert.deepEqual(badOptions({ feeds: { url: "https://a.example/" } }), ["feeds"]);
    assert.deepEqual(
      badOptions({
        feeds: [
          { url: "https://a.example/" },
          { url: "javascript:alert(1)", limit: 0, name: "", extra: 1 },
        ],
      }),
      ["feeds[1].extra", "feeds[1].url", "feeds[1].name", "feeds[1].limit"],
    );
    assert.deepEqual(badOptions({ feedsCache: "1 hour" }), ["feedsCache"]);
    assert.deepEqual(badOptions({ feedsCacheDirectory: "" }), ["feedsCacheDirectory"]);
    assert.deepEqual(badOptions({ timeline: { perPage: 0 } }), ["timeline.perPage"]);
    assert.deepEqual(badOptions({ timeline: { path: "a b" } }), ["timeline.path"]);
    assert.deepEqual(badOptions({ timeline: { layout: "" } }), ["timeline.layout"]);
    assert.deepEqual(badOptions({ timeline: { pages: 2 } }), ["timeline.pages"]);
    assert.deepEqual(badOptions({ timeline: { path: "/a/", followingPath: "a" } }), [
      "timeline.followingPath",
    ]);
  });
});
