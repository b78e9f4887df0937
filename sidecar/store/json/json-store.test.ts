import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fakeSubscriber, ombDestination, recordSync } from "../../../test/helpers/fixtures.js";
import { StoreCorruptError } from "./engine.js";
import { openJsonStore as openStore } from "./json-store.js";
import { StoreLockedError } from "./lock.js";

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

describe("JSON store", () => {
  it("keeps subscribers, the outbound log and cursors across a reopen", async () => {
    const f = file("reopen");
    const a = await openStore(f);
    await a.saveFollower(fakeSubscriber(1, 2));
    await a.saveFollower(fakeSubscriber(2, 2));
    await a.saveFollower(fakeSubscriber(3, 2));
    const seqs = await recordSync(
      a,
      [
        { kind: "notice", notice: notice(1) },
        { kind: "notice", notice: notice(2) },
      ],
      ["http://site.example/old/"],
      { initialized: true },
    );
    assert.deepEqual(seqs, [1, 2]);
    const key = ombDestination(fakeSubscriber(1, 2).credentials.postNoticeUrl);
    const d = await a.destination(key);
    assert.ok(d);
    assert.equal(d.cursor, 0, "a destination created before the notices starts before them");
    await a.updateDestination({ ...d, cursor: 1 });
    await a.close();

    const b = await openStore(f);
    assert.equal((await b.followers()).length, 3);
    assert.equal((await b.followersAt(key)).length, 2);
    assert.equal((await b.destination(key))?.cursor, 1);
    assert.equal(await b.headSeq(), 2);
    assert.deepEqual(
      (await b.outboundAfter(1, 10)).map((e) => e.seq),
      [2],
    );
    const published = await b.publishedPosts();
    assert.ok(published.has("http://site.example/old/"));
    assert.ok(published.has(notice(2).uri));
    assert.ok(!published.has("http://site.example/never/"));
    assert.equal((await b.syncState()).initialized, true);
    await b.close();
  });

  it("costs one journal append per change, not a rewrite, and compacts when the journal grows", async () => {
    const f = file("compact");
    const s = await openStore(f, { compactBytes: 64 * 1024, fsync: false });
    for (let i = 0; i < 2000; i++) await s.saveFollower(fakeSubscriber(i));
    await s.close();
    const journal = await readFile(`${f}.journal`, "utf8").catch(() => "");
    assert.ok(
      Buffer.byteLength(journal) < 64 * 1024 + 4096,
      "journal was folded into the snapshot",
    );
    const snap = JSON.parse(await readFile(f, "utf8"));
    assert.equal(snap.schema, 2);
    const r = await openStore(f);
    assert.equal((await r.followers()).length, 2000);
    await r.close();
  });

  it("a failed background compaction is reported, loses nothing and does not crash", async () => {
    const f = file("compact-fails");
    const errors: Error[] = [];
    const s = await openStore(f, {
      compactBytes: 4096,
      fsync: false,
      onBackgroundError: (e) => errors.push(e),
    });
    // the snapshot's temp file cannot be created: a directory sits where it goes
    await mkdir(path.join(path.dirname(f), `.${path.basename(f)}.tmp`));
    for (let i = 0; i < 200; i++) await s.saveFollower(fakeSubscriber(i));
    await s.close();
    assert.ok(errors.length > 0, "the failure was reported");
    await rm(path.join(path.dirname(f), `.${path.basename(f)}.tmp`), { recursive: true });
    const r = await openStore(f);
    assert.equal((await r.followers()).length, 200, "every change is still there (journal)");
    await r.close();
  });

  it("refuses a second process on the same data file, and takes over a dead one's lock", async () => {
    const f = file("lock");
    const s = await openStore(f);
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
    const t = await openStore(f);
    await t.close();
    const u = await openStore(f);
    await assert.rejects(openStore(f), StoreLockedError);
    await u.close();
  });

  it("cuts a torn last journal line and refuses a damaged one in the middle", async () => {
    const f = file("torn");
    const s = await openStore(f, { compactBytes: 1e9 });
    await s.saveFollower(fakeSubscriber(1));
    await s.close();
    // close() compacts nothing here (journal below the limit), so the journal holds the line.
    await writeFile(
      `${f}.journal`,
      `${await readFile(`${f}.journal`, "utf8").catch(() => "")}{"s":99,"o":[["subscr`,
      { flag: "w" },
    );
    const r = await openStore(f);
    assert.equal((await r.followers()).length, 1);
    await r.close();
    await writeFile(`${f}.journal`, `garbage\n{"s":99,"o":[]}\n`);
    await assert.rejects(openStore(f), StoreCorruptError);
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
      const s = await openStore(f);
      for (const i of acks)
        assert.ok(await s.follower(fakeSubscriber(i).id), `acknowledged write ${i} lost`);
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
