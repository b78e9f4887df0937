import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { destinationKey } from "../store.js";
import { openJsonStore } from "./json-store.js";

/** A schema-1 store written by the OMB-only release (test/fixtures/store-v1/README.md). */
const FIXTURE = fileURLToPath(new URL("../../../test/fixtures/store-v1/", import.meta.url));
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function copyOfFixture(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "ef-migrate-"));
  dirs.push(dir);
  await cp(FIXTURE, dir, { recursive: true });
  return path.join(dir, "store.json");
}

test("a schema-1 store is migrated on open, losslessly, its journal replayed first", async () => {
  const file = await copyOfFixture();
  const v1 = JSON.parse(await readFile(file, "utf8"));
  const v1Journal = (await readFile(`${file}.journal`, "utf8")).trim().split("\n");
  const s = await openJsonStore(file, { fsync: false });
  try {
    // every subscriber, the two in the journal's last lines included
    const followers = await s.followers();
    const v1Subscribers = Object.values(v1.tables.subscribers) as { uri: string }[];
    assert.equal(followers.length, v1Subscribers.length + 1, "gina came from the journal");
    for (const sub of [...v1Subscribers.map((x) => x.uri), "https://laconi.example/gina"]) {
      const f = await s.follower(sub);
      assert.equal(f?.protocol, "omb", sub);
    }
    const bob = await s.follower("https://identi.example/bob");
    assert.deepEqual(bob, {
      protocol: "omb",
      id: "https://identi.example/bob",
      profile: v1.tables.subscribers["https://identi.example/bob"].profile,
      credentials: {
        postNoticeUrl: "https://identi.example/index.php?action=postnotice",
        updateProfileUrl: "https://identi.example/index.php?action=updateprofile",
        token: "tok-bob",
        secret: "sec-bob",
      },
      since: "2026-11-20T10:00:00.000Z",
    });
    // destinations keep their cursors and retry state under protocol + URL keys
    const laconi = await s.destination(
      destinationKey("omb", "https://laconi.example/omb/postnotice"),
    );
    assert.deepEqual(laconi, {
      ...v1.tables.destinations["https://laconi.example/omb/postnotice"],
      key: "omb https://laconi.example/omb/postnotice",
      protocol: "omb",
    });
    assert.equal(laconi?.attempts, 3);
    assert.equal(
      (
        await s.followersAt(
          destinationKey("omb", "https://identi.example/index.php?action=postnotice"),
        )
      ).length,
      2,
    );
    // the log, the published posts, the sync state
    assert.equal(await s.headSeq(), v1.tables.meta.outboundHead);
    assert.deepEqual(
      (await s.outboundAfter(0, 10)).map((e) => e.seq),
      Object.keys(v1.tables.outbound).map(Number),
    );
    const published = await s.publishedPosts();
    for (const [uri, seq] of Object.entries(v1.tables.published))
      assert.deepEqual(published.get(uri), { uri, seq });
    assert.deepEqual(await s.syncState(), v1.tables.meta.sync);
    // the followed author, its tokens, the inbox (journal line included), failures, secrets
    const erin = await s.followedAccount("https://remote.example/erin");
    assert.equal(erin?.protocol === "omb" && erin.credentials.token, "acc-erin");
    assert.ok(await s.accessToken("acc-erin"));
    assert.ok(await s.requestToken("req-open"));
    const inbox = await s.inbox();
    assert.deepEqual(
      inbox.map((n) => n.uri),
      ["https://remote.example/notice/2", "https://remote.example/notice/1"],
    );
    assert.ok(inbox.every((n) => n.protocol === "omb"));
    assert.deepEqual(inbox[1]?.seealso, v1.tables.inbox["https://remote.example/notice/1"].seealso);
    const [failure] = await s.failures();
    assert.equal(failure?.destination, "https://laconi.example/omb/postnotice");
    assert.equal(failure?.protocol, "omb");
    assert.equal(await s.secret("cookie"), v1.tables.meta["secret:cookie"]);
    assert.equal(
      await s.claimNonce("https://remote.example/\nnonce-1\n1700000000", Date.now() + 1000),
      false,
      "a nonce seen before is still refused",
    );
    assert.ok(v1Journal.length >= 2);
  } finally {
    await s.close();
  }
  // written back as schema 2, journal emptied, the old files kept beside it
  const v2 = JSON.parse(await readFile(file, "utf8"));
  assert.equal(v2.schema, 2);
  assert.equal(v2.tables.subscribers, undefined);
  assert.equal(JSON.parse(await readFile(`${file}.schema1.bak`, "utf8")).schema, 1);
  const reopened = await openJsonStore(file, { fsync: false });
  assert.equal((await reopened.followers()).length, 4);
  await reopened.close();
});

test("a read-only open of a schema-1 store migrates in memory and changes no file", async () => {
  const file = await copyOfFixture();
  const before = await readFile(file, "utf8");
  const s = await openJsonStore(file, { readOnly: true });
  assert.equal((await s.followers()).length, 4);
  await s.close();
  assert.equal(await readFile(file, "utf8"), before);
});
