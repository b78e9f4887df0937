/** Timeline and following pages from an inbox whose remote author has a U+202E in their name. */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { InboxExport } from "../../contract/inbox-export.js";
import type { ResolvedOptions } from "../options.js";
import { renderFollowing, renderTimeline } from "./html.js";
import { readInbox } from "./inbox.js";
import { TimelineSource } from "./pages.js";
import { type FederationTimeline, mergeTimeline } from "./timeline.js";

/**
 * A followed author whose remote profile and notice carry bidi overrides and control
 * characters, read from an inbox.json as the sidecar writes it, then rendered: none of them
 * reaches the timeline or following page, or the `federationTimeline` data.
 */

const RLO = "\u202e";
/** Any control character but tab and line feed, or any bidi control (U+202E among them). */
const DIRTY = /(?![\t\n])[\p{Cc}\p{Bidi_Control}]/u;

const INBOX: InboxExport = {
  version: 1,
  generated: "2026-01-01T12:00:00.000Z",
  following: [
    {
      uri: "http://eve.example/user/1",
      profile: {
        uri: "http://eve.example/user/1",
        profile: "http://eve.example/eve",
        nickname: "eve",
        license: "http://creativecommons.org/licenses/by/3.0/",
        fullname: `Eve ${RLO}gnp.exe\u202c`,
        homepage: "",
        bio: "Bio\u0007 with \u2066isolates\u2069 and \u009b C1",
        location: "\u200fTel Aviv\u061c",
        avatar: "",
      },
      since: "2025-12-01T00:00:00.000Z",
    },
  ],
  inbox: [
    {
      uri: "http://eve.example/notice/1",
      listeneeUri: "http://eve.example/user/1",
      content: `Look ${RLO}txt.exe\u0000\r\nsecond line`,
      url: "http://eve.example/notice/1",
      license: "http://creativecommons.org/licenses/by/3.0/",
      receivedAt: "2026-01-01T10:00:00.000Z",
    },
  ],
};

let dir: string;
let file: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "remote-text-"));
  file = path.join(dir, "inbox.json");
  await writeFile(file, JSON.stringify(INBOX));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PAGE = { pageNumber: 0, pageCount: 1, previous: null, next: null };

function rendered(t: FederationTimeline): { timeline: string; following: string } {
  return {
    timeline: renderTimeline(t.entries, PAGE, "/following/"),
    following: renderFollowing(t, "/timeline/"),
  };
}

describe("remote text with bidi overrides and control characters", () => {
  it("is rendered without them, however the timeline was made (render time)", async () => {
    const inbox = await readInbox({ kind: "file", path: file }, { warn: () => {} });
    assert.ok(inbox);
    const raw = mergeTimeline(inbox, { entries: [], feeds: [] });
    assert.ok(raw.following[0]?.fullname.includes(RLO), "the data as received has the override");
    const { timeline, following } = rendered(raw);
    for (const page of [timeline, following]) assert.doesNotMatch(page, DIRTY);
    assert.match(
      following,
      /<a class="u-url p-name" dir="auto" href="http:\/\/eve\.example\/eve" rel="nofollow ugc">Eve gnp\.exe<\/a>/,
    );
    assert.match(following, /<p class="p-note" dir="auto">Bio with isolates and {2}C1<\/p>/);
    assert.match(following, /<span class="p-locality" dir="auto">Tel Aviv<\/span>/);
    assert.match(timeline, />Eve gnp\.exe<\/a> <span class="p-nickname" dir="auto">@eve<\/span>/);
    assert.match(timeline, /dir="auto">Look txt\.exe\nsecond line<\/p>/);
    assert.match(timeline, /via <bdi>eve\.example<\/bdi>/);
  });

  it("is cleaned in the federationTimeline data the site's templates read", async () => {
    const options = {
      inbox: { kind: "file", path: file },
      feeds: [],
      feedsCache: "1d",
      feedsCacheDirectory: path.join(dir, "cache"),
    } as unknown as ResolvedOptions;
    const data = await new TimelineSource(options, () => {}).load();
    const text = [
      ...data.entries.flatMap((x) => [x.text, x.author.name, x.author.nickname, x.source.name]),
      ...data.following.flatMap((p) => [p.nickname, p.fullname, p.bio, p.location]),
    ];
    for (const s of text) assert.doesNotMatch(s, DIRTY, JSON.stringify(s));
    assert.equal(data.following[0]?.fullname, "Eve gnp.exe");
    assert.equal(data.entries[0]?.text, "Look txt.exe\nsecond line");
    // URLs are left as they are: they are checked as URLs, not shown as text.
    assert.equal(data.following[0]?.profileUrl, "http://eve.example/eve");
  });
});
