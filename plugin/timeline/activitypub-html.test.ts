/** ActivityPub notices and accounts on the timeline and following pages, read as parsed HTML. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  ApNoticeFields,
  InboxExport,
  InboxExportNotice,
} from "../../contract/inbox-export.js";
import { sanitizeRemoteHtml } from "../../protocol/activitypub/sanitize.js";
import { renderFollowing, renderTimeline } from "./html.js";
import {
  byClass,
  type Element,
  elementsOf,
  hasClass,
  inside,
  one,
  textOf,
  within,
} from "./html-parse.test-helper.js";
import { cleanTimeline } from "./pages.js";
import { htmlText, timelineHtml } from "./remote-html.js";
import { mergeTimeline } from "./timeline.js";

const ALICE = {
  id: "https://social.example/users/alice",
  name: "Alice",
  handle: "alice@social.example",
  url: "https://social.example/@alice",
  icon: "https://social.example/alice.png",
};
const CAROL = {
  id: "https://other.example/users/carol",
  name: "Carol",
  handle: "carol@other.example",
  url: "https://other.example/@carol",
};

/** A notice from Alice (followed), received at minute `minute` of 2026-01-02 10:00. */
function fromAlice(
  id: string,
  minute: number,
  content: string,
  ap: Partial<ApNoticeFields> = {},
): InboxExportNotice {
  const uri = `https://social.example/notes/${id}`;
  return {
    uri,
    listeneeUri: ALICE.id,
    content,
    url: `https://social.example/@alice/${id}`,
    license: "",
    receivedAt: `2026-01-02T10:${String(minute).padStart(2, "0")}:00.000Z`,
    activitypub: { author: ALICE, attachments: [], ...ap },
  };
}

const apAccount = (actor: typeof ALICE, pending: boolean) => ({
  uri: actor.id,
  profile: {
    uri: actor.id,
    profile: actor.url,
    nickname: actor.handle,
    license: "",
    fullname: actor.name,
    homepage: "",
    bio: "",
    location: "",
    avatar: actor.icon,
  },
  since: "2026-01-01T00:00:00.000Z",
  protocol: "activitypub" as const,
  pending,
});

const INBOX: InboxExport = {
  version: 1,
  generated: "2026-01-02T12:00:00.000Z",
  following: [
    apAccount(ALICE, false),
    apAccount(
      { ...ALICE, id: "https://big.example/users/dan", name: "Dan", handle: "dan@big.example" },
      true,
    ),
  ],
  inbox: [
    fromAlice("edited", 5, "<p>Fixed typo</p>", {
      published: "2026-01-02T09:00:00Z",
      updated: "2026-01-02T09:30:00Z",
    }),
    fromAlice("media", 4, "<p>Pictures</p>", {
      attachments: [
        { url: "https://media.example/cat.jpg", mediaType: "image/jpeg", name: "A cat asleep" },
        { url: "https://media.example/dog.png", mediaType: "image/png" },
        { url: "https://media.example/clip.mp4", mediaType: "video/mp4", name: "A clip" },
        { url: "https://media.example/song.ogg", mediaType: "audio/ogg" },
        { url: "ftp://media.example/x.png", mediaType: "image/png", name: "dropped" },
      ],
    }),
    fromAlice("cw", 3, "<p>The butler did it</p>", {
      summary: "Spoilers: the film",
      attachments: [{ url: "https://media.example/still.jpg", mediaType: "image/jpeg" }],
    }),
    {
      ...fromAlice("boost", 2, "<p>Carol's post</p>", {
        author: CAROL,
        boostedBy: ALICE,
        boostedAt: "2026-01-02T10:02:00Z",
        published: "2026-01-01T08:00:00Z",
      }),
      uri: "https://other.example/notes/1",
      url: "https://other.example/@carol/1",
    },
    fromAlice(
      "plain",
      1,
      '<p>Hello <a href="https://x.example/">world</a>, <a href="mailto:a@x.example">mail me</a></p><p>second</p>',
      { published: "2026-01-02T10:00:30Z" },
    ),
  ],
};

const PAGE = { pageNumber: 0, pageCount: 1, previous: null, next: null };
const timeline = cleanTimeline(mergeTimeline(INBOX, { entries: [], feeds: [] }));
const els = elementsOf(renderTimeline(timeline.entries, PAGE, "/following/"));
const entries = byClass(els, "federation-entry");

/** The rendered entry whose permalink is `url`. */
function entry(url: string): Element {
  return one(
    entries.filter((li) => within(li, "a").some((a) => a.attribs.href === url)),
    `entry linking to ${url}`,
  );
}

describe("ActivityPub notices on the timeline", () => {
  it("shows the post's HTML, its author and a link to it", () => {
    const li = entry("https://social.example/@alice/plain");
    assert.equal(li.attribs["data-source"], "activitypub");
    const avatar = one(inside(li, "u-photo"), "avatar");
    assert.deepEqual(avatar.attribs, {
      class: "u-photo",
      src: "https://social.example/alice.png",
      alt: "",
      width: "48",
      height: "48",
      loading: "lazy",
      referrerpolicy: "no-referrer",
    });
    const name = one(inside(li, "p-name"), "author name");
    assert.equal(name.attribs.href, "https://social.example/@alice");
    assert.equal(name.attribs.dir, "auto");
    assert.equal(textOf(name), "Alice");
    assert.equal(textOf(one(inside(li, "p-nickname"), "handle")), "@alice@social.example");

    const content = one(inside(li, "e-content"), "content");
    assert.equal(content.name, "div", "a block that can hold the post's paragraphs");
    assert.deepEqual(
      within(content, "p").map(textOf),
      ["Hello world, mail me", "second"],
      "the paragraphs kept",
    );
    const links = within(content, "a");
    assert.deepEqual(links[0]?.attribs, {
      href: "https://x.example/",
      rel: "nofollow noopener noreferrer",
      target: "_blank",
    });
    assert.equal(links[1]?.attribs.href, undefined, "a mailto: link loses its href");

    const published = one(inside(li, "dt-published"), "published time");
    assert.equal(published.attribs.datetime, "2026-01-02T10:00:30.000Z");
    assert.equal(textOf(published), "2026-01-02 10:00 UTC");
    assert.equal(
      textOf(one(inside(li, "federation-entry-source"), "source")),
      "via social.example",
    );
    assert.deepEqual(inside(li, "federation-entry-boost"), []);
    assert.deepEqual(inside(li, "federation-entry-edited"), []);
    assert.deepEqual(within(li, "details"), []);
  });

  it("shows a boost as '<booster> boosted' above the original author's post", () => {
    const li = entry("https://other.example/@carol/1");
    const boost = one(inside(li, "federation-entry-boost"), "boost line");
    assert.equal(textOf(boost), "Alice boosted 2026-01-02 10:02 UTC");
    const booster = one(within(boost, "a"), "booster link");
    assert.equal(booster.attribs.href, "https://social.example/@alice");
    assert.equal(booster.attribs.dir, "auto", "the booster's name is isolated");
    const author = one(inside(li, "p-author"), "author");
    assert.equal(textOf(one(inside(author, "p-name"), "author name")), "Carol");
    assert.equal(textOf(one(inside(author, "p-nickname"), "handle")), "@carol@other.example");
    assert.deepEqual(within(author, "img"), [], "no icon, no image");
    // The boost line comes first, then the author, in the entry's own order.
    const order = (li.children as Element[]).filter((c) => c.type === "tag");
    assert.ok(hasClass(order[0] as Element, "federation-entry-boost"));
    assert.ok(hasClass(order[1] as Element, "p-author"));
    assert.equal(
      one(inside(li, "dt-published"), "published").attribs.datetime,
      "2026-01-01T08:00:00.000Z",
      "the original post's date",
    );
  });

  it("folds a post with a content warning, its media too, under <details><summary>", () => {
    const li = entry("https://social.example/@alice/cw");
    const details = one(within(li, "details"), "details");
    const summary = one(within(details, "summary"), "summary");
    assert.equal(textOf(summary), "Spoilers: the film");
    assert.equal(summary.attribs.dir, "auto");
    assert.equal(details.attribs.open, undefined, "folded by default");
    assert.equal(textOf(one(inside(details, "e-content"), "content")), "The butler did it");
    assert.equal(
      one(within(details, "img"), "image").attribs.src,
      "https://media.example/still.jpg",
    );
  });

  it("shows images with their alt text and other media as links named by theirs", () => {
    const li = entry("https://social.example/@alice/media");
    const list = one(inside(li, "federation-entry-attachments"), "attachment list");
    const images = within(list, "img");
    assert.deepEqual(
      images.map((i) => [
        i.attribs.src,
        i.attribs.alt,
        i.attribs.loading,
        i.attribs.referrerpolicy,
      ]),
      [
        ["https://media.example/cat.jpg", "A cat asleep", "lazy", "no-referrer"],
        ["https://media.example/dog.png", "", "lazy", "no-referrer"],
      ],
    );
    assert.deepEqual(
      within(list, "a").map((a) => [a.attribs.href, textOf(a)]),
      [
        ["https://media.example/cat.jpg", ""],
        ["https://media.example/dog.png", ""],
        ["https://media.example/clip.mp4", "A clip"],
        ["https://media.example/song.ogg", "audio/ogg"],
      ],
      "each links to its file; the ftp: one is dropped",
    );
  });

  it("marks an edited post with the time of its last edit", () => {
    const li = entry("https://social.example/@alice/edited");
    const edited = one(inside(li, "federation-entry-edited"), "edited marker");
    assert.equal(textOf(edited), "edited 2026-01-02 09:30 UTC");
    assert.equal(one(within(edited, "time"), "time").attribs.datetime, "2026-01-02T09:30:00.000Z");
  });

  it("keeps the sidecar's order (arrival) and gives templates the text of the HTML", () => {
    assert.deepEqual(
      timeline.entries.map((e) => e.url?.split("/").pop()),
      ["edited", "media", "cw", "1", "plain"],
    );
    const plain = timeline.entries.at(-1);
    assert.equal(plain?.text, "Hello world, mail me\n\nsecond");
    assert.equal(plain?.activitypub?.html.includes("mailto:"), false);
  });
});

describe("a post's HTML on the timeline", () => {
  it("keeps all Mastodon's allow-list keeps, but links that are not http(s)", () => {
    const rich =
      '<p><span class="h-card"><a class="u-url mention" href="https://x.example/@a">@<span>a</span></a></span> ' +
      "<em>e</em> <strong>s</strong> <b>b</b> <i>i</i> <u>u</u> <del>d</del> <code>c</code><br>next</p>" +
      '<pre>p &lt;re&gt;</pre><blockquote><p>q</p></blockquote><ol start="3" reversed><li value="7">x</li></ol>' +
      '<ul><li><a href="https://x.example/tags/t" class="hashtag">#t</a></li></ul><h2>Heading</h2>';
    assert.equal(timelineHtml(rich), sanitizeRemoteHtml(rich));
    const schemes =
      '<a href="mailto:a@x.example">m</a><a href="ipfs://x">i</a><a href="HTTPS://X.example/">h</a>';
    assert.equal(
      timelineHtml(schemes),
      '<a rel="nofollow noopener noreferrer" target="_blank">m</a><a rel="nofollow noopener noreferrer" target="_blank">i</a>' +
        '<a href="https://x.example/" rel="nofollow noopener noreferrer" target="_blank">h</a>',
    );
    assert.equal(
      htmlText(timelineHtml(rich)),
      "@a e s b i u d c\nnext\n\np <re>\n\nq\n\nx\n\n#t\n\nHeading",
    );
  });
});

describe("ActivityPub accounts on the following page", () => {
  it("lists them, a follow not yet accepted marked '(request pending)'", () => {
    const page = elementsOf(renderFollowing(timeline, "/timeline/"));
    const people = byClass(page, "federation-followed");
    assert.deepEqual(
      people.map((li) => textOf(one(inside(li, "p-name"), "name"))),
      ["Alice", "Dan"],
    );
    assert.deepEqual(
      people.map((li) => inside(li, "federation-followed-pending").map(textOf)),
      [[], ["(request pending)"]],
    );
    assert.match(textOf(people[1] as Element), /requested 2026-01-01/);
    assert.match(
      textOf(people[0] as Element),
      /@alice@social\.example · following since 2026-01-01/,
    );
  });
});
