import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { JournalFile } from "./journal-file.js";

test("appends made meanwhile share one write and one fsync (group commit)", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "ef-journal-"));
  try {
    const { journal } = await JournalFile.open(path.join(dir, "j"), true);
    await Promise.all(Array.from({ length: 100 }, (_, i) => journal.append(`{"s":${i}}`)));
    assert.ok(journal.writes <= 2, `100 concurrent appends took ${journal.writes} writes`);
    assert.equal(journal.syncs, journal.writes);
    await journal.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an append without sync is written at once and fsynced by the next synced append or a timer", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "ef-journal-"));
  const file = path.join(dir, "j");
  try {
    const { journal } = await JournalFile.open(file, true);
    await journal.append('{"s":1}', false);
    assert.equal(journal.syncs, 0, "not waited for");
    assert.equal(
      await readFile(file, "utf8"),
      '{"s":1}\n',
      "but written: a process crash keeps it",
    );
    await journal.append('{"s":2}');
    assert.equal(journal.syncs, 1, "the next synced append covers it");
    await journal.append('{"s":3}', false);
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(journal.syncs, 2, "fsynced within the lazy deadline");
    await journal.append('{"s":4}', false);
    await journal.close();
    assert.equal(journal.syncs, 3, "close fsyncs what is left");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
