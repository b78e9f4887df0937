import { open, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";

/** A second sidecar on the same data file would interleave writes and lose updates. */
export class StoreLockedError extends Error {
  override name = "StoreLockedError";
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `<file>.lock` for this process. A lock left by a process that no longer runs
 * (killed with SIGKILL, say) is taken over at once, so a restart after a crash needs no
 * wait; a lock held by a live process, or by another host, is refused.
 */
export async function acquireLock(dataFile: string): Promise<() => Promise<void>> {
  const lockFile = `${dataFile}.lock`;
  const me: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockFile, "wx");
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      return async () => {
        await unlink(lockFile).catch(() => {});
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder: LockInfo | null = null;
    try {
      holder = JSON.parse(await readFile(lockFile, "utf8")) as LockInfo;
    } catch {
      holder = null; // empty or torn lock file: its writer died while taking it
    }
    if (holder && holder.host !== me.host) {
      throw new StoreLockedError(
        `eleventy-federation: data file ${dataFile} is locked by a sidecar on host ${holder.host} (pid ${holder.pid}). Stop it, or delete ${lockFile} if that host is gone.`,
      );
    }
    if (holder?.pid === process.pid) {
      throw new StoreLockedError(
        `eleventy-federation: ${dataFile} is already open in this process.`,
      );
    }
    if (holder && isAlive(holder.pid)) {
      throw new StoreLockedError(
        `eleventy-federation: another sidecar (pid ${holder.pid}, since ${holder.startedAt}) is using ${dataFile}. Stop it, or give this one its own "dataFile".`,
      );
    }
    await unlink(lockFile).catch(() => {});
  }
  throw new StoreLockedError(`eleventy-federation: could not take the lock ${lockFile}; retry.`);
}
