// `eleventy-federation serve` as a child process that a test may SIGKILL at any moment and
// start again on the same config (same port, same data file). Every wait is bounded.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = path.join(ROOT, "sidecar/cli/main.ts");

export interface Served {
  /** Where it listens, e.g. http://127.0.0.1:41234/ */
  url: string;
  pid: number;
  /** Resolves when the process has exited (for any reason). */
  exited: Promise<void>;
  /** True until the process has exited. */
  alive(): boolean;
  /** The last 200 kB it wrote to stderr (the log). */
  stderr(): string;
  /** SIGKILL now (no clean-up runs), then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean close), SIGKILL after 10 s; waits for the exit. */
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** `--site <dir>`: also serve this built site (the XRDS the provider role needs). */
  siteDir?: string;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for "listening on" (default 30 s). */
  timeoutMs?: number;
  /** Extra node flags, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/p"] (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
}

export async function serve(configFile: string, opts: ServeOptions = {}): Promise<Served> {
  const args = [...(opts.nodeArgs ?? []), "--import", "tsx", CLI, "serve", "--config", configFile];
  if (opts.siteDir) args.push("--site", opts.siteDir);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: opts.env ?? process.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    log = (log + c).slice(-200_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const url = await listening(child, () => log, opts.timeoutMs ?? 30_000);
  const end = async (signal: NodeJS.Signals) => {
    if (alive()) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    url,
    pid: child.pid ?? 0,
    exited,
    alive,
    stderr: () => log,
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
  };
}

function listening(child: ChildProcess, log: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const finish = (err: Error | null, url = "") => {
      clearInterval(poll);
      clearTimeout(timer);
      child.off("exit", onExit);
      if (err) {
        child.kill("SIGKILL");
        reject(err);
      } else resolve(url);
    };
    const poll = setInterval(() => {
      const m = /listening on (http:\/\/\S+\/)/.exec(log());
      if (m?.[1]) finish(null, m[1]);
    }, 20);
    const timer = setTimeout(
      () => finish(new Error(`sidecar did not start in ${timeoutMs} ms:\n${log().slice(-3000)}`)),
      timeoutMs,
    );
    const onExit = (code: number | null) =>
      finish(new Error(`sidecar exited (${code}) before listening:\n${log().slice(-3000)}`));
    child.once("exit", onExit);
  });
}
