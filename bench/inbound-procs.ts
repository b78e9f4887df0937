// Processes of bench/inbound.ts: the bare Express baseline, and CPU time read from /proc,
// to tell whether the server or the client (autocannon, in the bench process) was the
// busy one during a run.
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const BARE = fileURLToPath(new URL("./inbound-bare.ts", import.meta.url));

export interface Bare {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts inbound-bare.ts (with extra node flags); waits up to 30 s for its port. */
export function startBare(nodeArgs: string[] = []): Promise<Bare> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "--import", "tsx", BARE], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("bare Express server did not start in 30 s"));
    }, 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bare Express server exited (${code})`));
    });
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const m = /listening (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: `http://127.0.0.1:${m[1]}`,
        pid: child.pid ?? 0,
        stop: async () => {
          child.kill("SIGTERM");
          const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
          await exited;
          clearTimeout(kill);
        },
      });
    });
  });
}

/** CPU seconds (user + system) a process has used so far; null where /proc is missing. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return Number.isFinite(ticks) ? ticks / 100 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Runs `f`, returning its result and the share of one core each side used meanwhile. */
export async function withCpu<T>(
  serverPid: number,
  f: () => Promise<T>,
): Promise<{
  result: T;
  serverCpu: number | null;
  serverSeconds: number | null;
  clientCpu: number;
}> {
  const s0 = await cpuSeconds(serverPid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await f();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const s1 = await cpuSeconds(serverPid);
  const serverSeconds = s0 === null || s1 === null ? null : s1 - s0;
  return {
    result,
    serverSeconds,
    serverCpu: serverSeconds === null ? null : serverSeconds / wall,
    clientCpu: (c.user + c.system) / 1e6 / wall,
  };
}
