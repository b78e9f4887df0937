/** The replies, counts and buttons rendered from a fixture export: nesting, plurals, markup. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PostInteractions } from "../../contract/interactions-export.js";
import { post, reply, SIDECAR, sampleExport } from "./export.test-helper.js";
import { countsText, renderButtons, renderCounts, renderReplies } from "./html.js";
import { MAX_THREAD_DEPTH, type ReplyNode, replyThread } from "./thread.js";

const [postA, postB] = sampleExport().posts as [PostInteractions, PostInteractions];

/** The thread as nested ids' last path segments: [["1", [["2", [["4", []]]]]], ["3", []]]. */
type Shape = [string, Shape[]];
const shape = (nodes: ReplyNode[]): Shape[] =>
  nodes.map((n) => [n.reply.id.split("/").pop() ?? "", shape(n.children)]);

describe("replyThread", () => {
  it("puts a reply under the one it answers (by id or url), orphans at the top, oldest first", () => {
    assert.deepEqual(shape(replyThread(postA.replies)), [
      ["1", [["2", [["4", []]]]]],
      ["3", []],
    ]);
  });

  it("keeps each reply once and cuts a loop at its oldest reply", () => {
    const x = reply("x", "https://bob.example/statuses/y", "bob");
    const y = reply("y", x.id, "bob");
    const self = reply("s", "https://bob.example/statuses/s", "bob");
    assert.deepEqual(shape(replyThread([x, y, x, self])), [
      ["s", []],
      ["x", [["y", []]]],
    ]);
  });

  it(`nests at most ${MAX_THREAD_DEPTH} levels; deeper replies line up at the last, in order`, () => {
    const chain = [reply("0", postA.objectId, "bob")];
    for (let i = 1; i < MAX_THREAD_DEPTH + 3; i++) {
      chain.push(reply(String(i), chain[i - 1]?.id ?? "", "bob"));
    }
    let level = replyThread(chain);
    const levels: string[][] = [];
    while (level.length > 0) {
      levels.push(level.map((n) => n.reply.id.split("/").pop() ?? ""));
      level = level.flatMap((n) => n.children);
    }
    assert.equal(levels.length, MAX_THREAD_DEPTH);
    assert.deepEqual(levels.at(-1), ["5", "6", "7", "8"]);
  });

  it("takes a chain of 20,000 replies without running out of stack", () => {
    const chain = [reply("0", postA.objectId, "bob")];
    for (let i = 1; i < 20_000; i++) chain.push(reply(String(i), chain[i - 1]?.id ?? "", "bob"));
    assert.equal(replyThread(chain).length, 1);
  });
});

describe("counts", () => {
  it("say likes and boosts with plurals, leaving out a zero, and nothing when both are", () => {
    assert.equal(countsText(3, 1), "3 likes · 1 boost");
    assert.equal(countsText(1, 2), "1 like · 2 boosts");
    assert.equal(countsText(0, 5), "5 boosts");
    assert.equal(countsText(0, 0), "");
    assert.equal(
      renderCounts(postA),
      '<p class="federation-counts"><span class="federation-likes">3 likes</span> · <span class="federation-boosts">1 boost</span></p>',
    );
    assert.equal(
      renderCounts(postB),
      '<p class="federation-counts"><span class="federation-likes">1 like</span></p>',
    );
    assert.equal(renderCounts(post("c")), "");
    assert.equal(renderCounts(undefined), "");
  });
});

describe("renderReplies", () => {
  const html = renderReplies(postA);

  it("heads the thread with its size and nests the lists as the thread goes", () => {
    assert.match(html, /^<section class="federation-replies">\n<h2[^>]*>4 replies<\/h2>/);
    // r2 sits in a list inside r1's item, r4 inside r2's, r3 back at the top.
    const order = [...html.matchAll(/reply (\d)<\/p>|<(\/?)ol/g)].map((m) =>
      m[1] ? m[1] : m[2] ? ")" : "(",
    );
    assert.deepEqual(order, ["(", "1", "(", "2", "(", "4", ")", ")", "3", ")"]);
    assert.equal(renderReplies(postB), "");
    assert.equal(renderReplies(undefined), "");
    assert.match(renderReplies(post("c", { replies: postA.replies.slice(0, 1) })), />1 reply</);
  });

  it("shows each reply's author, avatar, handle, link and time", () => {
    assert.ok(
      html.includes(
        '<a class="u-url federation-reply-author-link" href="https://bob.example/@bob" rel="nofollow ugc noopener"><img class="u-photo federation-reply-avatar" src="https://bob.example/avatars/bob.png" alt="" width="48" height="48" loading="lazy" referrerpolicy="no-referrer"><bdi class="p-name">Bob</bdi></a> <span class="federation-reply-handle p-nickname"><bdi>@bob@bob.example</bdi></span>',
      ),
      html,
    );
    assert.ok(
      html.includes(
        '<a class="u-url" href="https://bob.example/@bob/1" rel="nofollow ugc noopener"><time class="dt-published" datetime="2026-01-02T10:00:00.000Z">2026-01-02 10:00 UTC</time></a>',
      ),
    );
    // A top reply answers the post's page; a nested one the reply above it.
    assert.ok(html.includes(`<data class="u-in-reply-to" value="${postA.url}"></data>`));
    assert.ok(html.includes('<data class="u-in-reply-to" value="https://bob.example/statuses/1">'));
    assert.match(html, /<li class="federation-reply h-cite h-entry">/);
  });

  it("puts a reply with a content warning in <details>, its summary the warning", () => {
    assert.match(
      html,
      /<details class="federation-reply-warning"><summary class="p-summary" dir="auto">Spoilers<\/summary><div class="federation-reply-content e-content" dir="auto"><p>reply 2<\/p><\/div><\/details>/,
    );
    assert.equal((html.match(/<details/g) ?? []).length, 1);
  });
});

describe("renderButtons", () => {
  const html = renderButtons({
    objectId: postA.objectId,
    actorUrl: `${SIDECAR}ap/users/alice`,
    subscribeUrl: `${SIDECAR}omb/subscribe`,
    nickname: "alice",
    scriptSrc: "/federation/interactions.js",
  });

  it("posts the handle to the sidecar's subscribe endpoint, so Follow works without JS", () => {
    assert.match(
      html,
      /^<form class="federation-buttons" method="post" action="https:\/\/fed\.alice\.example\/omb\/subscribe" data-federation-buttons /,
    );
    assert.match(html, /<input [^>]*name="profile_url" required/);
    assert.match(html, /<input type="hidden" name="nickname" value="alice">/);
    assert.match(
      html,
      /<button [^>]*type="submit" data-federation-action="follow">Follow<\/button>/,
    );
  });

  it("posts Reply, Like and Boost with the post's id (working without the script), Follow without", () => {
    for (const [name, label] of [
      ["reply", "Reply"],
      ["like", "Like"],
      ["boost", "Boost"],
    ]) {
      assert.ok(
        html.includes(
          `<button class="federation-button" type="submit" name="uri" value="${postA.objectId}" data-federation-action="${name}">${label}</button>`,
        ),
        name,
      );
    }
    assert.match(
      html,
      /<button class="federation-button" type="submit" data-federation-action="follow">Follow</,
    );
    assert.ok(html.includes(`data-federation-object="${postA.objectId}"`));
    assert.ok(html.includes(`data-federation-actor="${SIDECAR}ap/users/alice"`));
    assert.match(html, /<\/form>\n<script src="\/federation\/interactions\.js" defer><\/script>$/);
    assert.ok(!/\sid=|\sstyle=|\son\w+=/i.test(html));
  });
});
