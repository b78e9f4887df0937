import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { InboxExport } from "../../contract/inbox-export.js";
import {
  httpUrl,
  inboxEntries,
  linkOrText,
  mergeTimeline,
  type TimelineEntry,
} from "./timeline.js";

const profile = (uri: string, nickname: string, extra: Record<string, string> = {}) => ({
  uri,
  profile: `${uri}/profile`,
  nickname,
  license: "http://creativecommons.org/licenses/by/3.0/",
  fullname: "",
  homepage: "",
  bio: "",
  location: "",
  avatar: "",
  ...extra,
});

const notice = (uri: string, listeneeUri: string, receivedAt: string, url = uri) => ({
  uri,
  listeneeUri,
  content: `text of ${uri}`,
  url,
  license: "http://creativecommons.org/licenses/by/3.0/",
  receivedAt,
});

const inbox: InboxExport = {
  version: 1,
  generated: "2026-01-01T00:00:00.000Z",
  following: [
    {
      uri: "https://a.example/u/1",
      profile: profile("https://a.example/u/1", "ann", {
        fullname: "Ann A",
        avatar: "https://a.example/ann.png",
      }),
      since: "2025-01-01T00:00:00.000Z",
    },
  ],
  inbox: [
    notice("https://a.example/n/2", "https://a.example/u/1", "2026-01-01T12:00:00.000Z"),
    notice("https://gone.example/n/1", "https://gone.example/u/9", "2026-01-01T11:00:00.000Z", ""),
  ],
};

describe("the timeline model", () => {
  it("gives each notice its author's latest profile, or its identifier once unfollowed", () => {
    const [ann, gone] = inboxEntries(inbox);
    assert.deepEqual(ann?.author, {
      name: "Ann A",
      nickname: "ann",
      profileUrl: "https://a.example/u/1/profile",
      avatar: "https://a.example/ann.png",
    });
    assert.deepEqual(ann?.source, { kind: "omb", name: "a.example" });
    assert.equal(ann?.url, "https://a.example/n/2");
    assert.deepEqual(gone?.author, {
      name: "https://gone.example/u/9",
      nickname: "",
      profileUrl: "https://gone.example/u/9",
      avatar: null,
    });
    assert.equal(gone?.url, "https://gone.example/n/1", "an empty url falls back to the URI");
  });

  it("puts notices and feed entries together, newest first, undated last", () => {
    const feedEntry = (id: string, date: string | null): TimelineEntry => ({
      id,
      source: { kind: "feed", name: "F" },
      author: { name: "F", nickname: "", profileUrl: null, avatar: null },
      text: id,
      url: null,
      unlinkedUrl: null,
      date,
    });
    const t = mergeTimeline(inbox, {
      entries: [
        feedEntry("undated", null),
        feedEntry("newest", "2026-02-01T00:00:00Z"),
        feedEntry("between", "2026-01-01T11:30:00Z"),
      ],
      feeds: [],
    });
    assert.deepEqual(
      t.entries.map((e) => e.id),
      ["newest", "https://a.example/n/2", "between", "https://gone.example/n/1", "undated"],
    );
    assert.deepEqual(
      t.following.map((f) => f.nickname),
      ["ann"],
    );
    assert.deepEqual(mergeTimeline(null, { entries: [], feeds: [] }), {
      entries: [],
      following: [],
      feeds: [],
    });
  });

  it("links only absolute http(s) URLs", () => {
    assert.equal(httpUrl("https://x.example/a"), "https://x.example/a");
    assert.equal(httpUrl("HTTP://x.example/"), "HTTP://x.example/");
    for (const bad of [
      "javascript:alert(1)",
      "data:text/html,x",
      "//x.example/",
      "/a",
      "",
      null,
      "ftp://x/",
    ])
      assert.equal(httpUrl(bad), null, String(bad));
    assert.deepEqual(linkOrText("javascript:x"), { url: null, unlinkedUrl: "javascript:x" });
    assert.deepEqual(linkOrText(""), { url: null, unlinkedUrl: null });
  });
});
