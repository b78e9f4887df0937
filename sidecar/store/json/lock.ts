/** The data file's lock: one sidecar per data file, heartbeated, taken over from dead or stale holders. */
import { randomUUID } from "node:crypto";
import { open, readFile, stat, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { PRIVATE_FILE_MODE } from "./private-files.js";

/** A second sidecar on the same data file would interleave writes and lose updates. */
export class StoreLockedError extends Error {
  override name = "StoreLockedError";
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  id: string;
}

/** The holder touches its lock this often... */
const HEARTBEAT_MS = 15_000;
/** ...so a lock untouched for this long is a dead holder's, whatever its pid and host say. */
const STALE_MS = 60_000;

/** Lock files this process holds: a second open here is refused without asking the OS. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `<file>.lock` for this process and keeps it fresh. A lock is taken over at once when
 * its holder on this host is gone (a restart after SIGKILL needs no wait), including when a
 * container restarts with the same pid; a lock from another host, or whose pid now belongs
 * to some other process, is taken over once it has not been touched for a minute.
 */
export async function acquireLock(dataFile: string): Promise<() => Promise<void>> {
  const lockFile = path.resolve(`${dataFile}.lock`);
  if (heldHere.has(lockFile)) {
    throw new StoreLockedError(`eleventy-federation: ${dataFile} is already open in this process.`);
  }
  const me: LockInfo = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    id: randomUUID(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockFile, "wx", PRIVATE_FILE_MODE);
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      heldHere.add(lockFile);
      const heartbeat = setInterval(() => {
        const now = new Date();
        utimes(lockFile, now, now).catch(() => {});
      }, HEARTBEAT_MS).unref();
      return async () => {
        clearInterval(heartbeat);
        heldHere.delete(lockFile);
        await unlink(lockFile).catch(() => {});
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const refusal = await liveHolder(lockFile, dataFile, me.host);
    if (refusal) throw new StoreLockedError(refusal);
    await unlink(lockFile).catch(() => {});
  }
  throw new StoreLockedError(`eleventy-federation: could not take the lock ${lockFile}; retry.`);
}

/** Why the existing lock must be respected, or null when its holder is gone. */
async function liveHolder(
  lockFile: string,
  dataFile: string,
  host: string,
): Promise<string | null> {
  let holder: LockInfo | null = null;
  let touchedMsAgo = Number.POSITIVE_INFINITY;
  try {
    holder = JSON.parse(await readFile(lockFile, "utf8")) as LockInfo;
    touchedMsAgo = Date.now() - (await stat(lockFile)).mtimeMs;
  } catch {
    return null; // empty or torn lock file: its writer died while taking it
  }
  const fresh = touchedMsAgo < STALE_MS;
  if (holder.host !== host) {
    return fresh
      ? `eleventy-federation: data file ${dataFile} is in use by a sidecar on host ${holder.host} (pid ${holder.pid}). Stop it; its lock expires a minute after it stops.`
      : null;
  }
  // Our own pid, but not held by this process: a container restarted with the same pid.
  if (holder.pid === process.pid || !isAlive(holder.pid) || !fresh) return null;
  return `eleventy-federation: another sidecar (pid ${holder.pid}, since ${holder.startedAt}) is using ${dataFile}. Stop it, or give this one its own "dataFile".`;
}
