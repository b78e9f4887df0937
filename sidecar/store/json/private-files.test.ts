import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { openJsonStore } from "./json-store.js";
import { DATA_FOLDER_GITIGNORE, makeDataFolder } from "./private-files.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ef-data-folder-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const gitVersion = (() => {
  try {
    return execFileSync("git", ["--version"], { encoding: "utf8" });
  } catch {
    return null;
  }
})();

describe("the data folder", () => {
  it("is made 0700 with a .gitignore that ignores everything in it", async () => {
    const dataFile = path.join(dir, "new", "deeper", "store.json");
    assert.equal(await makeDataFolder(dataFile), true);
    const folder = path.dirname(dataFile);
    assert.equal(((await stat(folder)).mode & 0o777).toString(8), "700");
    const ignore = await readFile(path.join(folder, ".gitignore"), "utf8");
    assert.equal(ignore, DATA_FOLDER_GITIGNORE);
    assert.ok(ignore.split("\n").includes("*"), "a line `*`");
    assert.deepEqual(await readdir(path.join(dir, "new")), ["deeper"], "only the data folder");
  });

  it("is left as it is when it exists: no .gitignore added", async () => {
    const folder = path.join(dir, "existing");
    await mkdir(folder);
    assert.equal(await makeDataFolder(path.join(folder, "store.json")), false);
    assert.deepEqual(await readdir(folder), []);
  });

  it("keeps a store opened in a git work tree out of git", { skip: !gitVersion }, async () => {
    const repo = path.join(dir, "site");
    await mkdir(repo);
    execFileSync("git", ["init", "-q"], { cwd: repo });
    const store = await openJsonStore(path.join(repo, "federation-data", "store.json"));
    try {
      assert.ok((await readdir(path.join(repo, "federation-data"))).includes("store.json.lock"));
      const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=all"], {
        cwd: repo,
        encoding: "utf8",
      });
      assert.equal(status, "", "git sees nothing of the data folder");
    } finally {
      await store.close();
    }
  });
});
