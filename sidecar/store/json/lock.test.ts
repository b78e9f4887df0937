import assert from "node:assert/strict";
import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { acquireLock, StoreLockedError } from "./lock.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ef-lock-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a lock as another holder would have left it, touched `ageMs` ago. */
async function leftLock(name: string, holder: { pid: number; host: string }, ageMs: number) {
  const data = path.join(dir, name);
  const lock = `${data}.lock`;
  await writeFile(lock, JSON.stringify({ ...holder, startedAt: "2026-01-01T00:00:00Z", id: "x" }));
  const t = new Date(Date.now() - ageMs);
  await utimes(lock, t, t);
  return data;
}

test("one process cannot open the same data file twice", async () => {
  const data = path.join(dir, "twice");
  const release = await acquireLock(data);
  await assert.rejects(acquireLock(data), /already open in this process/);
  await release();
  await (await acquireLock(data))();
});

test("a lock with this very pid, not held here, is a container restarted with the same pid: taken over", async () => {
  const data = await leftLock("samepid", { pid: process.pid, host: hostname() }, 0);
  await (await acquireLock(data))();
});

test("a live process's fresh lock is refused; the same lock left untouched for minutes is taken over", async () => {
  const alive = process.ppid; // our parent runs for sure
  const fresh = await leftLock("alive", { pid: alive, host: hostname() }, 1000);
  await assert.rejects(acquireLock(fresh), StoreLockedError);
  const stale = await leftLock("alive-stale", { pid: alive, host: hostname() }, 5 * 60_000);
  await (await acquireLock(stale))();
});

test("another host's lock is respected while fresh, taken over once stale", async () => {
  const fresh = await leftLock("otherhost", { pid: 1, host: "elsewhere" }, 1000);
  await assert.rejects(acquireLock(fresh), /host elsewhere/);
  const stale = await leftLock("otherhost-stale", { pid: 1, host: "elsewhere" }, 5 * 60_000);
  await (await acquireLock(stale))();
});
