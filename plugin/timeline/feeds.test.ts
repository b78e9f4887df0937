import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { entryText, pullFeeds } from "./feeds.js";
import type { ResolvedFeed } from "./options.js";

const RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Bob's &lt;b&gt;links&lt;/b&gt;</title><link>https://bob.example/</link>
<image><url>https://bob.example/logo.png</url><title>Bob</title><link>https://bob.example/</link></image>
<item><title>Oldest</title><link>https://bob.example/1</link><guid>b1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>
<item><title>Newest &lt;script&gt;alert(1)&lt;/script&gt;</title><link>javascript:alert(2)</link><guid>b3</guid><pubDate>Wed, 03 Jan 2024 10:00:00 GMT</pubDate></item>
<item><description>&lt;p&gt;No title, &lt;em&gt;only&lt;/em&gt; a summary&lt;script&gt;evil()&lt;/script&gt;&lt;/p&gt;</description><link>https://bob.example/2</link><guid>b2</guid><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate></item>
</channel></rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Carol's notes</title><link href="https://carol.example/"/><id>urn:carol</id><updated>2024-02-02T00:00:00Z</updated>
<entry><title>Atom entry</title><link href="https://carol.example/a"/><id>urn:carol:a</id><updated>2024-02-01T08:30:00Z</updated></entry>
</feed>`;

let server: Server;
let base: string;
/** path → how many requests it got */
const hits = new Map<string, number>();
/** path → what it answers now (changed by the tests) */
const routes = new Map<string, { status: number; type: string; body: string }>();
let cacheDir: string;

before(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), "feeds-cache-"));
  server = createServer((req, res) => {
    const p = req.url ?? "/";
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const r = routes.get(p) ?? { status: 404, type: "text/plain", body: "no such feed" };
    res.writeHead(r.status, { "content-type": r.type }).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set("/rss.xml", { status: 200, type: "application/rss+xml", body: RSS });
  routes.set("/atom.xml", { status: 200, type: "application/atom+xml", body: ATOM });
  routes.set("/broken.xml", {
    status: 200,
    type: "text/html",
    body: "<html><body>Not a feed</body></html>",
  });
  routes.set("/error.xml", { status: 500, type: "text/plain", body: "oops" });
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(cacheDir, { recursive: true, force: true });
});

const feed = (p: string, extra: Partial<ResolvedFeed> = {}): ResolvedFeed => ({
  url: base + p,
  name: null,
  limit: 10,
  ...extra,
});

function pull(feeds: ResolvedFeed[], duration = "1h") {
  const warnings: string[] = [];
  return pullFeeds(feeds, { duration, directory: cacheDir, warn: (m) => warnings.push(m) }).then(
    (r) => ({ ...r, warnings }),
  );
}

describe("pullFeeds", () => {
  it("turns the latest entries of an RSS 2.0 and an Atom feed into timeline entries", async () => {
    const r = await pull([feed("/rss.xml", { limit: 2 }), feed("/atom.xml", { name: "Carol" })]);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.feeds, [
      {
        url: `${base}/rss.xml`,
        name: "Bob's <b>links</b>",
        siteUrl: "https://bob.example/",
        ok: true,
      },
      { url: `${base}/atom.xml`, name: "Carol", siteUrl: "https://carol.example/", ok: true },
    ]);
    // The two newest of the RSS feed (by date, not document order), then the Atom entry.
    assert.deepEqual(
      r.entries.map((e) => [e.id, e.source, e.text, e.url, e.unlinkedUrl, e.date]),
      [
        [
          "b3",
          { kind: "feed", name: "Bob's <b>links</b>" },
          "Newest <script>alert(1)</script>",
          null,
          "javascript:alert(2)",
          "2024-01-03T10:00:00.000Z",
        ],
        [
          "b2",
          { kind: "feed", name: "Bob's <b>links</b>" },
          "No title, only a summary",
          "https://bob.example/2",
          null,
          "2024-01-02T10:00:00.000Z",
        ],
        [
          "urn:carol:a",
          { kind: "feed", name: "Carol" },
          "Atom entry",
          "https://carol.example/a",
          null,
          "2024-02-01T08:30:00.000Z",
        ],
      ],
    );
    assert.deepEqual(r.entries[0]?.author, {
      name: "Bob's <b>links</b>",
      nickname: "",
      profileUrl: "https://bob.example/",
      avatar: "https://bob.example/logo.png",
    });
  });

  it("uses the cached copy within feedsCache, without a request", async () => {
    const before = hits.get("/rss.xml") ?? 0;
    const r = await pull([feed("/rss.xml", { limit: 1 })]);
    assert.equal(r.entries.length, 1);
    assert.equal(hits.get("/rss.xml"), before, "no second request within the hour");
    assert.ok((await readdir(cacheDir)).length > 0, "the cache is on disk");
  });

  it("warns naming a broken feed or one that answers 500, and goes on without them", async () => {
    const r = await pull([
      feed("/broken.xml"),
      feed("/error.xml", { name: "Err" }),
      feed("/atom.xml"),
    ]);
    assert.deepEqual(
      r.feeds.map((f) => f.ok),
      [false, false, true],
    );
    assert.equal(r.entries.length, 1);
    assert.equal(r.warnings.length, 2);
    assert.match(
      r.warnings[0] ?? "",
      /feed ".*\/broken\.xml" .* not an RSS or Atom feed\. It is left out/,
    );
    assert.match(
      r.warnings[1] ?? "",
      /feed "Err" \(http:\/\/127\.0\.0\.1:\d+\/error\.xml\) could not be read: HTTP 500/,
    );
  });

  it("falls back to the cached copy when the feed later fails, and says so", async () => {
    routes.set("/flaky.xml", { status: 200, type: "application/rss+xml", body: RSS });
    const first = await pull([feed("/flaky.xml")], "1s");
    assert.equal(first.entries.length, 3);
    assert.deepEqual(first.warnings, []);
    await new Promise((r) => setTimeout(r, 1_100));
    routes.set("/flaky.xml", { status: 500, type: "text/plain", body: "down" });
    const hitsBefore = hits.get("/flaky.xml") ?? 0;
    const second = await pull([feed("/flaky.xml")], "1s");
    assert.equal(hits.get("/flaky.xml"), hitsBefore + 1, "the expired copy made it fetch again");
    assert.equal(second.entries.length, 3, "the cached entries are kept");
    assert.equal(second.feeds[0]?.ok, true);
    assert.equal(second.warnings.length, 1);
    assert.match(
      second.warnings[0] ?? "",
      /could not be read: HTTP 500\. Using the copy cached at \d{4}-/,
    );
    // A broken answer does not replace the good copy either.
    routes.set("/flaky.xml", { status: 200, type: "text/html", body: "<html></html>" });
    await new Promise((r) => setTimeout(r, 1_100));
    const third = await pull([feed("/flaky.xml")], "1s");
    assert.equal(third.entries.length, 3);
    assert.match(third.warnings[0] ?? "", /not an RSS or Atom feed\. Using the copy cached/);
  });

  it("refuses a feed past FEED_LIMITS before parsing it, saying which cap", async () => {
    const flood = RSS.replace("<channel>", `<channel>${"<a/>".repeat(60_000)}`);
    routes.set("/flood.xml", { status: 200, type: "application/rss+xml", body: flood });
    const r = await pull([feed("/flood.xml", { name: "Flood" })]);
    assert.deepEqual(r.entries, []);
    assert.equal(r.feeds[0]?.ok, false);
    assert.match(
      r.warnings[0] ?? "",
      /feed "Flood" .* could not be read: it has more than 50000 elements; a real one has a few thousand at most, so it is refused unread\. It is left out/,
    );
  });

  it("warns about a feed that cannot be reached", async () => {
    const r = await pull([{ url: "http://127.0.0.1:9/feed.xml", name: "Gone", limit: 10 }], "0s");
    assert.deepEqual(r.entries, []);
    assert.match(r.warnings[0] ?? "", /feed "Gone" .* could not be read: .*\. It is left out/);
  });
});

describe("entryText", () => {
  it("prefers the title; else the summary without markup, shortened", () => {
    assert.equal(entryText("  A\n title ", "<p>x</p>"), "A title");
    assert.equal(entryText(null, "<p>One <b>two</b></p><style>p{}</style>"), "One two");
    const long = entryText(null, "word ".repeat(200));
    assert.equal([...long].length, 500);
    assert.ok(long.endsWith("…"));
  });
});
