/** Store contract, log part: syncs, failures, the inbox, secrets, compaction. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { fakeProfile, fakeSubscriber } from "../../test/helpers/fixtures.js";
import { type Store, SyncConflictError } from "./store.js";
import { at, notice } from "./store-contract-fixtures.test-helper.js";
import type { InboxNotice } from "./types.js";

/** The outbound log, failure, inbox, secret and compaction tests, each on a store from `fresh`. */
export function logContract(fresh: () => Promise<Store>): void {
  it("records a sync in one step: entries in order, post records, the state", async () => {
    const s = await fresh();
    const seqs = await s.applySync({
      entries: [
        {
          entry: { kind: "notice", notice: notice(1) },
          post: { uri: notice(1).uri, version: "m2:a" },
        },
        {
          entry: {
            kind: "delete",
            uri: "http://site.example/old/",
            url: "http://site.example/old/",
            deletedAt: new Date(0).toISOString(),
          },
        },
      ],
      posts: [{ uri: "http://site.example/archived/", seq: 0 }],
      state: { initialized: true, lastSyncSource: "test" },
    });
    assert.deepEqual(seqs, [1, 2]);
    assert.equal(await s.headSeq(), 2);
    assert.deepEqual(
      (await s.outboundAfter(0, 10)).map((e) => [e.seq, e.kind]),
      [
        [1, "notice"],
        [2, "delete"],
      ],
    );
    assert.deepEqual(
      (await s.outboundAfter(1, 10)).map((e) => e.seq),
      [2],
    );
    const posts = await s.publishedPosts();
    assert.deepEqual(posts.get(notice(1).uri), { uri: notice(1).uri, version: "m2:a", seq: 1 });
    assert.equal(posts.get("http://site.example/archived/")?.seq, 0);
    assert.equal((await s.syncState()).lastSyncSource, "test");
    await s.saveSyncState({ initialized: true, lastSyncError: "boom" });
    assert.equal((await s.syncState()).lastSyncError, "boom");
  });

  it("refuses a sync planned before another one appended, writing nothing", async () => {
    const s = await fresh();
    const sync = (i: number, expectHead: number) =>
      s.applySync({
        entries: [
          {
            entry: { kind: "notice", notice: notice(i) },
            post: { uri: notice(i).uri, version: "v" },
          },
        ],
        posts: [],
        state: { initialized: true, lastSyncSource: `sync ${i}` },
        expectHead,
      });
    assert.deepEqual(await sync(1, 0), [1]);
    await assert.rejects(sync(2, 0), SyncConflictError);
    assert.equal(await s.headSeq(), 1);
    assert.equal((await s.publishedPosts()).has(notice(2).uri), false);
    assert.equal((await s.syncState()).lastSyncSource, "sync 1");
    assert.deepEqual(await sync(2, 1), [2], "planned again against the new head, it is recorded");
  });

  it("keeps failures newest first and an inbox post URI once", async () => {
    const s = await fresh();
    for (let i = 0; i < 3; i++) await s.recordFailure({ destination: "d", error: `e${i}` });
    assert.deepEqual(
      (await s.failures(2)).map((f) => f.error),
      ["e2", "e1"],
    );
    const n: InboxNotice = {
      protocol: "omb",
      uri: "http://remote.example/notice/1",
      listeneeUri: fakeProfile(1).uri,
      content: "hi",
      url: "",
      license: "",
      receivedAt: new Date().toISOString(),
    };
    assert.equal(await s.addInbox(n), true);
    assert.equal(await s.addInbox({ ...n, content: "changed" }), false);
    await s.addInbox({ ...n, uri: "http://remote.example/notice/2" });
    assert.deepEqual(
      (await s.inbox()).map((x) => [x.uri, x.content]),
      [
        ["http://remote.example/notice/2", "hi"],
        ["http://remote.example/notice/1", "hi"],
      ],
    );
    assert.equal((await s.inbox(1)).length, 1);
  });

  it("replaces an edited inbox post in its place and removes a deleted one", async () => {
    const s = await fresh();
    const n = (i: number): InboxNotice => ({
      protocol: "activitypub",
      uri: `https://social.example/notes/${i}`,
      listeneeUri: "https://social.example/users/a",
      content: `<p>post ${i}</p>`,
      url: `https://social.example/@a/${i}`,
      license: "",
      receivedAt: new Date(Date.UTC(2026, 0, i)).toISOString(),
    });
    for (const i of [1, 2, 3]) await s.addInbox(n(i));
    assert.equal(await s.updateInbox({ ...n(2), content: "<p>edited</p>" }), true);
    assert.equal(await s.updateInbox(n(9)), false, "an edit of a post never received adds nothing");
    assert.equal((await s.inboxNotice(n(2).uri))?.content, "<p>edited</p>");
    assert.deepEqual(
      (await s.inbox()).map((x) => x.content),
      ["<p>post 3</p>", "<p>edited</p>", "<p>post 1</p>"],
    );
    assert.equal(await s.removeInbox(n(3).uri), true);
    assert.equal(await s.removeInbox(n(3).uri), false);
    assert.equal(await s.inboxNotice(n(3).uri), undefined);
    assert.deepEqual(
      (await s.inbox()).map((x) => x.uri),
      [n(2).uri, n(1).uri],
    );
  });

  it("keeps one secret per name, also for callers that race", async () => {
    const s = await fresh();
    const [a, b] = await Promise.all([s.secret("cookie"), s.secret("cookie")]);
    assert.equal(a, b);
    assert.notEqual(await s.secret("csrf"), a);
    assert.ok(a.length >= 40);
  });

  it("compaction forgets delivered entries and expired nonces, and keeps the rest", async () => {
    const s = await fresh();
    await s.saveFollower(fakeSubscriber(1));
    await s.applySync({
      entries: [1, 2, 3].map((i) => ({ entry: { kind: "notice" as const, notice: notice(i) } })),
      posts: [],
      state: { initialized: true },
    });
    const d = await s.destination(at(fakeSubscriber(1)));
    assert.ok(d);
    await s.updateDestination({ ...d, cursor: 2 });
    await s.claimNonce("old", Date.now() - 1);
    await s.claimNonce("live", Date.now() + 60_000);
    await s.compact();
    assert.deepEqual(
      (await s.outboundAfter(0, 10)).map((e) => e.seq),
      [3],
    );
    assert.equal(await s.headSeq(), 3);
    assert.equal(await s.claimNonce("live", Date.now() + 60_000), false);
    assert.equal(await s.claimNonce("old", Date.now() + 60_000), true);
  });
}
