import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fakeProfile, fakeSubscriber } from "../../test/helpers/fixtures.js";
import { StoreCorruptError } from "./engine.js";
import { StoreLockedError } from "./lock.js";
import { Store } from "./store.js";

const notice = (n: number) => ({
  uri: `http://site.example/posts/${n}/`,
  url: `http://site.example/posts/${n}/`,
  content: `post ${n}`,
  published: new Date(n * 1000).toISOString(),
  license: "http://creativecommons.org/licenses/by/3.0/",
});

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ef-store-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
const file = (name: string) => path.join(dir, name, "store.json");

describe("Store", () => {
  it("keeps subscribers, the outbound log and cursors across a reopen", async () => {
    const f = file("reopen");
    const a = await Store.open(f);
    await a.saveSubscriber(fakeSubscriber(1, 2));
    await a.saveSubscriber(fakeSubscriber(2, 2));
    await a.saveSubscriber(fakeSubscriber(3, 2));
    const seqs = await a.applySync(
      [
        { kind: "notice", notice: notice(1) },
        { kind: "notice", notice: notice(2) },
      ],
      ["http://site.example/old/"],
      { initialized: true },
    );
    assert.deepEqual(seqs, [1, 2]);
    const d = a.destination(fakeSubscriber(1, 2).postNoticeUrl);
    assert.ok(d);
    assert.equal(d.cursor, 0, "a destination created before the notices starts before them");
    await a.saveDestination({ ...d, cursor: 1 });
    await a.close();

    const b = await Store.open(f);
    assert.equal(b.subscribers().length, 3);
    assert.equal(b.subscribersAt(fakeSubscriber(1, 2).postNoticeUrl).length, 2);
    assert.equal(b.destination(d.url)?.cursor, 1);
    assert.equal(b.headSeq(), 2);
    assert.deepEqual(
      b.outboundAfter(1, 10).map((e) => e.seq),
      [2],
    );
    assert.ok(b.isPublished("http://site.example/old/"));
    assert.ok(b.isPublished(notice(2).uri));
    assert.ok(!b.isPublished("http://site.example/never/"));
    assert.equal(b.syncState().initialized, true);
    await b.close();
  });

  it("starts a new destination at the head of the log, so it never gets the backlog", async () => {
    const s = await Store.open(":memory:");
    await s.applySync([{ kind: "notice", notice: notice(1) }], [], { initialized: true });
    await s.saveSubscriber(fakeSubscriber(7));
    assert.equal(s.destination(fakeSubscriber(7).postNoticeUrl)?.cursor, 1);
    await s.close();
  });

  it("restarts a given-up destination at the head when someone subscribes there again", async () => {
    const s = await Store.open(":memory:");
    await s.saveSubscriber(fakeSubscriber(1));
    const url = fakeSubscriber(1).postNoticeUrl;
    await s.applySync([{ kind: "notice", notice: notice(1) }], [], { initialized: true });
    const d = s.destination(url);
    assert.ok(d);
    await s.saveDestination({
      ...d,
      attempts: 9,
      gaveUpAt: new Date().toISOString(),
      lastError: "down",
    });
    await s.saveSubscriber({ ...fakeSubscriber(1), token: "new" });
    assert.deepEqual(s.destination(url), { url, cursor: 1, attempts: 0 });
    await s.close();
  });

  it("drops a destination with its last subscriber and records why", async () => {
    const s = await Store.open(":memory:");
    await s.saveSubscriber(fakeSubscriber(1, 2));
    await s.saveSubscriber(fakeSubscriber(3, 2));
    const url = fakeSubscriber(1, 2).postNoticeUrl;
    await s.removeSubscriber(fakeSubscriber(1, 2).uri, {
      destination: url,
      status: 403,
      error: "revoked",
    });
    assert.ok(s.destination(url), "another subscriber still receives there");
    await s.removeSubscriber(fakeSubscriber(3, 2).uri);
    assert.equal(s.destination(url), undefined);
    assert.equal(s.failures()[0]?.status, 403);
    await s.close();
  });

  it("refuses a replayed nonce until it expires", async () => {
    const s = await Store.open(":memory:");
    assert.equal(await s.useNonce("k\n1\nabc", Date.now() + 60_000), true);
    assert.equal(await s.useNonce("k\n1\nabc", Date.now() + 60_000), false);
    assert.equal(await s.useNonce("k\n2\nold", Date.now() - 1), true);
    assert.equal(
      await s.useNonce("k\n2\nold", Date.now() + 60_000),
      true,
      "an expired record does not block",
    );
    await s.close();
  });

  it("accepts an inbox notice URI once", async () => {
    const s = await Store.open(":memory:");
    const n = {
      uri: "http://remote.example/notice/1",
      listeneeUri: fakeProfile(1).uri,
      content: "hi",
      url: "",
      license: "",
      receivedAt: new Date().toISOString(),
    };
    assert.equal(await s.addInbox(n), true);
    assert.equal(await s.addInbox({ ...n, content: "changed" }), false);
    assert.equal(s.inbox()[0]?.content, "hi");
    await s.close();
  });

  it("costs one journal append per change, not a rewrite, and compacts when the journal grows", async () => {
    const f = file("compact");
    const s = await Store.open(f, { compactBytes: 64 * 1024, fsync: false });
    for (let i = 0; i < 2000; i++) await s.saveSubscriber(fakeSubscriber(i));
    await s.close();
    const journal = await readFile(`${f}.journal`, "utf8").catch(() => "");
    assert.ok(
      Buffer.byteLength(journal) < 64 * 1024 + 4096,
      "journal was folded into the snapshot",
    );
    const snap = JSON.parse(await readFile(f, "utf8"));
    assert.equal(snap.schema, 1);
    const r = await Store.open(f);
    assert.equal(r.subscribers().length, 2000);
    await r.close();
  });

  it("a failed background compaction is reported, loses nothing and does not crash", async () => {
    const f = file("compact-fails");
    const errors: Error[] = [];
    const s = await Store.open(f, {
      compactBytes: 4096,
      fsync: false,
      onBackgroundError: (e) => errors.push(e),
    });
    // the snapshot's temp file cannot be created: a directory sits where it goes
    await mkdir(path.join(path.dirname(f), `.${path.basename(f)}.tmp`));
    for (let i = 0; i < 200; i++) await s.saveSubscriber(fakeSubscriber(i));
    await s.close();
    assert.ok(errors.length > 0, "the failure was reported");
    await rm(path.join(path.dirname(f), `.${path.basename(f)}.tmp`), { recursive: true });
    const r = await Store.open(f);
    assert.equal(r.subscribers().length, 200, "every change is still there (journal)");
    await r.close();
  });

  it("refuses a second process on the same data file, and takes over a dead one's lock", async () => {
    const f = file("lock");
    const s = await Store.open(f);
    await assert.rejects(runWriter(f, 1), /another sidecar \(pid \d+/);
    await s.close();
    await writeFile(
      `${f}.lock`,
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        host: (await import("node:os")).hostname(),
        startedAt: "",
      }),
    );
    const t = await Store.open(f);
    await t.close();
    const u = await Store.open(f);
    await assert.rejects(Store.open(f), StoreLockedError);
    await u.close();
  });

  it("cuts a torn last journal line and refuses a damaged one in the middle", async () => {
    const f = file("torn");
    const s = await Store.open(f, { compactBytes: 1e9 });
    await s.saveSubscriber(fakeSubscriber(1));
    await s.close();
    // close() compacts nothing here (journal below the limit), so the journal holds the line.
    await writeFile(
      `${f}.journal`,
      `${await readFile(`${f}.journal`, "utf8").catch(() => "")}{"s":99,"o":[["subscr`,
      { flag: "w" },
    );
    const r = await Store.open(f);
    assert.equal(r.subscribers().length, 1);
    await r.close();
    await writeFile(`${f}.journal`, `garbage\n{"s":99,"o":[]}\n`);
    await assert.rejects(Store.open(f), StoreCorruptError);
  });

  it("survives SIGKILL in the middle of writes: every acknowledged write is there", async () => {
    const f = file("crash");
    let acked = -1;
    for (let round = 0; round < 5; round++) {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/helpers/store-writer.ts", f, "100000", "8192"],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      let out = "";
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("ready") && !child.killed) {
            setTimeout(() => child.kill("SIGKILL"), 30 + round * 37);
            out = out.replace("ready", "");
          }
        });
        child.on("exit", () => resolve());
      });
      const acks = [...out.matchAll(/ack (\d+)/g)].map((m) => Number(m[1]));
      acked = Math.max(acked, ...acks);
      const s = await Store.open(f);
      for (const i of acks)
        assert.ok(s.subscriber(fakeSubscriber(i).uri), `acknowledged write ${i} lost`);
      await s.close();
    }
    assert.ok(acked > 0, "the writer made progress before being killed");
  });
});

function runWriter(f: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/helpers/store-writer.ts", f, String(count)],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(err))));
  });
}
