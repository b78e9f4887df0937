// Child processes of the benches: servers that print `listening <port>` when ready (the
// bare Express baseline, the fan-out receivers), and CPU time read from /proc, to tell
// whether the server or the client (in the bench process) was the busy one during a run.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export interface ServerProcess {
  url: string;
  pid: number;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a script of this folder under tsx (after `nodeArgs`) and waits up to 30 s for it to
 * print `listening <port>`; `name` says which server in errors.
 */
export function startServer(
  script: string,
  name: string,
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start in 30 s`));
    }, 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code})`));
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

export interface WithCpu<T> {
  result: T;
  /** The server's share of one core during the run; null where /proc is missing. */
  serverCpu: number | null;
  /** The server's CPU seconds during the run. */
  serverSeconds: number | null;
  /** This (client) process's share of one core. */
  clientCpu: number;
}

/** Runs `f`, returning its result and the share of one core each side used meanwhile. */
export async function withCpu<T>(serverPid: number, f: () => Promise<T>): Promise<WithCpu<T>> {
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
