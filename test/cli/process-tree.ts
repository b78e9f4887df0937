/** Test helper: a process's descendants, read from /proc (Linux), and whether a pid still runs. */
import { readdirSync, readFileSync } from "node:fs";

/** [pid, ppid, state] of every process, from /proc/<pid>/stat. */
function table(): { pid: number; ppid: number; state: string }[] {
  const rows: { pid: number; ppid: number; state: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      rows.push({ pid: Number(name), ppid: Number(rest[1]), state: rest[0] ?? "" });
    } catch {
      // gone while listing
    }
  }
  return rows;
}

/** Every live descendant of `root` (children, their children, ...). */
export function descendants(root: number): number[] {
  const rows = table().filter((r) => r.state !== "Z");
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = rows.filter((r) => frontier.includes(r.ppid)).map((r) => r.pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** True while `pid` runs (a zombie, exited but not reaped, does not count). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Waits, polling, until `done()` or `limitMs` has passed; returns `done()`'s last answer. */
export async function waitUntil(done: () => boolean | Promise<boolean>, limitMs: number) {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return done();
}
