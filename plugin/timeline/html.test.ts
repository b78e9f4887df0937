import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { InboxExport } from "../../contract/inbox-export.js";
import { linkify, renderEntry, renderFollowing, renderTimeline, standalonePage } from "./html.js";
import { mergeTimeline } from "./timeline.js";

const SCRIPT = '<script>alert("x")</script>';

/** An inbox where every field another site controls carries markup or a script URL. */
function hostileInbox(): InboxExport {
  const profile = {
    uri: `http://evil.example/user/1?${SCRIPT}`,
    profile: `javascript:alert(1)//${SCRIPT}`,
    nickname: `nick${SCRIPT}`,
    license: `http://l.example/${SCRIPT}`,
    fullname: `Full ${SCRIPT}`,
    homepage: `javascript:${SCRIPT}`,
    bio: `Bio ${SCRIPT}<img src=x onerror=alert(2)>`,
    location: `"><${SCRIPT}`,
    avatar: `javascript:alert(3)" onerror="alert(4)`,
  };
  return {
    version: 1,
    generated: "2026-01-01T00:00:00.000Z",
    following: [{ uri: profile.uri, profile, since: `2026-01-01T00:00:00.000Z${SCRIPT}` }],
    inbox: [
      {
        uri: `http://evil.example/notice/1${SCRIPT}`,
        listeneeUri: profile.uri,
        content: `Text ${SCRIPT} and http://evil.example/"onmouseover="alert(5) done`,
        url: `javascript:alert(6)${SCRIPT}`,
        license: `${SCRIPT}`,
        receivedAt: "2026-01-01T10:00:00.000Z",
      },
      {
        uri: `data:text/html,${SCRIPT}`,
        listeneeUri: `javascript:${SCRIPT}`,
        content: SCRIPT,
        url: "",
        license: "",
        receivedAt: SCRIPT,
      },
    ],
  };
}

/** No live markup from the remote side: no script element, no event handler, no script URL. */
function assertInert(html: string): void {
  assert.ok(!/<script/i.test(html), `a <script> element in:\n${html}`);
  assert.ok(!/<img[^>]*\sonerror=/i.test(html), `an onerror attribute in:\n${html}`);
  assert.ok(!/\son\w+="/i.test(html), `an event handler attribute in:\n${html}`);
  assert.ok(!/(href|src)="\s*(javascript|data):/i.test(html), `a script URL in:\n${html}`);
  assert.ok(html.includes("&lt;script&gt;"), "the script is shown as text");
}

describe("timeline HTML", () => {
  it("shows a script in every remote field as text, and links only http(s) URLs", () => {
    const timeline = mergeTimeline(hostileInbox(), {
      entries: [
        {
          id: SCRIPT,
          source: { kind: "feed", name: `Feed ${SCRIPT}` },
          author: { name: `Author ${SCRIPT}`, nickname: "", profileUrl: null, avatar: null },
          text: `Entry ${SCRIPT}`,
          url: null,
          unlinkedUrl: `javascript:${SCRIPT}`,
          date: null,
        },
      ],
      feeds: [
        { url: "https://feed.example/rss", name: `Feed ${SCRIPT}`, siteUrl: null, ok: false },
      ],
    });
    const page = renderTimeline(
      timeline.entries,
      { pageNumber: 0, pageCount: 1, previous: null, next: null },
      "/following/",
    );
    assertInert(page);
    assert.match(page, /Full &lt;script&gt;/);
    assert.match(page, /@nick&lt;script&gt;/);
    assert.match(page, /Text &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    assert.match(page, /<span class="federation-unlinked-url">javascript:alert\(6\)&lt;script&gt;/);
    assert.match(page, /from the feed <bdi>Feed &lt;script&gt;/);
    // The URL inside the text is cut at the quote: the rest stays text.
    assert.match(
      page,
      /<a href="http:\/\/evil\.example\/" rel="nofollow ugc">http:\/\/evil\.example\/<\/a>&quot;onmouseover=/,
    );
    const following = renderFollowing(timeline, "/timeline/");
    assertInert(following);
    assert.match(following, /Bio &lt;script&gt;.*&lt;img src=x onerror=alert\(2\)&gt;/);
    assert.match(following, /&quot;&gt;&lt;&lt;script&gt;/);
    assert.match(following, /Feed &lt;script&gt;.*could not be read/);
    assertInert(standalonePage(`Title ${SCRIPT}`, following));
  });

  it("links the author, the avatar and the notice when their URLs are http(s)", () => {
    const html = renderEntry({
      id: "n1",
      source: { kind: "omb", name: "bob.example" },
      author: {
        name: "Bob",
        nickname: "bob",
        profileUrl: "https://bob.example/bob",
        avatar: "https://bob.example/a.png",
      },
      text: "Hi",
      url: "https://bob.example/notice/1",
      unlinkedUrl: null,
      date: "2026-01-02T13:04:05.000Z",
    });
    assert.match(
      html,
      /<img class="u-photo" src="https:\/\/bob\.example\/a\.png"[^>]*referrerpolicy="no-referrer">/,
    );
    assert.match(
      html,
      /<a class="u-url p-name" dir="auto" href="https:\/\/bob\.example\/bob" rel="nofollow ugc">Bob<\/a> <span class="p-nickname" dir="auto">@bob<\/span>/,
    );
    assert.match(
      html,
      /<a class="u-url" href="https:\/\/bob\.example\/notice\/1" rel="nofollow ugc"><time class="dt-published" datetime="2026-01-02T13:04:05.000Z">2026-01-02 13:04 UTC<\/time><\/a> · <span class="federation-entry-source">via <bdi>bob\.example<\/bdi><\/span>/,
    );
  });

  it("links URLs in text, leaving sentence punctuation out", () => {
    assert.equal(
      linkify("See https://a.example/x?y=1&z=2. And (http://b.example/)!"),
      'See <a href="https://a.example/x?y=1&amp;z=2" rel="nofollow ugc">https://a.example/x?y=1&amp;z=2</a>. And (<a href="http://b.example/" rel="nofollow ugc">http://b.example/</a>)!',
    );
    assert.equal(linkify("javascript:alert(1) <b>"), "javascript:alert(1) &lt;b&gt;");
  });

  it("pages link to newer and older pages", () => {
    const html = renderTimeline(
      [],
      { pageNumber: 1, pageCount: 3, previous: "/timeline/", next: "/timeline/page/3/" },
      "/following/",
    );
    assert.match(
      html,
      /<a rel="prev" href="\/timeline\/">← Newer<\/a> <span>Page 2 of 3<\/span> <a rel="next" href="\/timeline\/page\/3\/">Older →<\/a>/,
    );
    assert.match(html, /Nothing here yet/);
  });
});
