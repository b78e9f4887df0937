import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after } from "node:test";
import { openJsonStore } from "./json/json-store.js";
import { openMemoryStore } from "./memory/memory-store.js";
import { storeContract } from "./store-contract.test-helper.js";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

storeContract("memory", openMemoryStore);
storeContract("json", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "ef-contract-"));
  dirs.push(dir);
  return openJsonStore(path.join(dir, "store.json"), { fsync: false });
});
