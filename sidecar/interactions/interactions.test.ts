import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { createEvents } from "../events.js";
import { createLogger } from "../log.js";
import { openMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/store.js";
import { Blocks } from "./blocks.js";
import { interactionsExport } from "./export.js";
import { InteractionError, Interactions, MAX_PENDING_PER_ACTOR } from "./interactions.js";
import { block, blockTarget, moderateReply, unblock } from "./moderation.js";
import type { StoredReply } from "./records.js";

const POST = "https://site.example/posts/one/";
const actor = (n: number, host = "social.example") => ({
  id: `https://${host}/users/u${n}`,
  name: `User ${n}`,
  handle: `u${n}@${host}`,
  url: `https://${host}/@u${n}`,
});
const reply = (n: number, over: Partial<StoredReply> = {}): StoredReply => ({
  id: `https://social.example/notes/${n}`,
  url: `https://social.example/@u1/${n}`,
  inReplyTo: "https://sidecar.example/ap/posts/abc",
  postUri: POST,
  author: actor(1),
  content: `<p>reply ${n}</p>`,
  published: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  receivedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  state: "pending",
  ...over,
});

describe("interactions and moderation", () => {
  let store: Store;
  let deps: {
    store: Store;
    events: ReturnType<typeof createEvents>;
    log: ReturnType<typeof createLogger>;
  };
  let events: string[];
  beforeEach(async () => {
    store = await openMemoryStore();
    deps = { store, events: createEvents(), log: createLogger("silent") };
    events = [];
    deps.events.on("interactions", () => events.push("interactions"));
    deps.events.on("reply-waiting", (r) => events.push(`waiting ${r.id}`));
  });

  it("keeps a new reply pending, shows it only once approved, and keeps its state across an edit", async () => {
    const ix = new Interactions(deps);
    assert.equal(await ix.saveReply(reply(1)), "added");
    assert.deepEqual(events, [`waiting ${reply(1).id}`]);
    assert.deepEqual((await interactionsExport(store, "https://sidecar.example")).posts, []);
    await moderateReply(deps, reply(1).id, "approve");
    const shown = (await interactionsExport(store, "https://sidecar.example")).posts;
    assert.deepEqual(
      shown.map((p) => p.replies.map((r) => r.content)),
      [["<p>reply 1</p>"]],
    );
    assert.equal(await ix.saveReply(reply(1, { content: "<p>edited</p>" })), "updated");
    assert.equal(
      (await ix.reply(reply(1).id))?.state,
      "approved",
      "an edit keeps the owner's decision",
    );
    assert.equal(
      await ix.saveReply(reply(1, { author: actor(2), content: "hijack" })),
      "dropped",
      "someone else cannot edit it",
    );
    await moderateReply(deps, reply(1).id, "hide");
    assert.deepEqual((await interactionsExport(store, "https://sidecar.example")).posts, []);
    await moderateReply(deps, reply(1).id, "delete");
    assert.equal(await ix.reply(reply(1).id), undefined);
    await assert.rejects(moderateReply(deps, reply(1).id, "approve"), InteractionError);
  });

  it("bounds the replies one account has waiting", async () => {
    const ix = new Interactions(deps);
    for (let i = 0; i < MAX_PENDING_PER_ACTOR; i++)
      assert.equal(await ix.saveReply(reply(i)), "added");
    assert.equal(await ix.saveReply(reply(999)), "dropped");
    assert.equal(
      await ix.saveReply(reply(998, { author: actor(2) })),
      "added",
      "another account still can",
    );
  });

  it("counts one like per account and post, undone by its own author only", async () => {
    const ix = new Interactions(deps);
    const like = (n: number, id: string) => ({
      kind: "like" as const,
      activityId: id,
      actor: actor(n),
      postUri: POST,
      at: new Date().toISOString(),
    });
    await ix.saveReaction(like(1, "https://social.example/likes/1"));
    await ix.saveReaction(like(1, "https://social.example/likes/1b"));
    await ix.saveReaction(like(2, "https://social.example/likes/2"));
    await ix.saveReaction({ ...like(3, "https://social.example/boosts/3"), kind: "boost" });
    let [post] = (await interactionsExport(store, "https://sidecar.example")).posts;
    assert.deepEqual(
      [post?.likes, post?.boosts, post?.likedBy.map((a) => a.id)],
      [2, 1, [actor(1).id, actor(2).id]],
    );
    assert.equal(
      await ix.removeReaction("https://social.example/likes/2", actor(1).id),
      false,
      "not theirs",
    );
    assert.equal(await ix.removeReaction("https://social.example/likes/2", actor(2).id), true);
    [post] = (await interactionsExport(store, "https://sidecar.example")).posts;
    assert.equal(post?.likes, 1);
  });

  it("a domain block removes its replies, reactions and followers, and refuses its actors and keys", async () => {
    const ix = new Interactions(deps);
    await ix.saveReply(reply(1, { author: actor(1, "bad.example") }));
    await ix.saveReply(reply(2, { author: actor(2, "ok.example") }));
    await ix.saveReaction({
      kind: "boost",
      activityId: "https://sub.bad.example/b/1",
      actor: actor(3, "sub.bad.example"),
      postUri: POST,
      at: new Date().toISOString(),
    });
    await store.saveFollower({
      protocol: "activitypub",
      id: actor(4, "bad.example").id,
      profile: actor(4, "bad.example"),
      credentials: { inbox: "https://bad.example/inbox", followId: "https://bad.example/f/1" },
      since: new Date().toISOString(),
    });
    const result = await block(deps, blockTarget("@someone@Bad.Example", true));
    assert.deepEqual(result, { changed: true, removed: 3 });
    assert.deepEqual(
      (await ix.replies()).map((r) => r.author.id),
      [actor(2, "ok.example").id],
    );
    assert.equal((await store.followers()).length, 0);
    const blocks = new Blocks(store);
    assert.equal(await blocks.blocks(actor(9, "bad.example").id), true);
    assert.equal(
      await blocks.blocks(undefined, "https://x.bad.example/users/a#main-key"),
      true,
      "a subdomain's key",
    );
    assert.equal(
      await blocks.blocks(actor(9, "notbad.example").id),
      false,
      "a mere suffix is not the domain",
    );
    assert.equal(await unblock(deps, blockTarget("bad.example", true)), true);
    assert.equal(await new Blocks(store).blocks(actor(9, "bad.example").id), false);
    assert.throws(() => blockTarget("not a domain at all", true), InteractionError);
  });
});
