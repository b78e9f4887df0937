// Node child processes for tests: `eleventy-federation serve` (which a test may SIGKILL at
// any moment and start again on the same config), one-off CLI commands, and any script that
// says on a line of its output that it is ready. Every wait is bounded.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DATABASE_URL_VARIABLE } from "../../sidecar/store/open.js";
import { databaseOf } from "./test-store.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = path.join(ROOT, "sidecar/cli/main.ts");

export interface NodeProcess {
  pid: number;
  /** The ready line's match. */
  ready: RegExpExecArray;
  /** Resolves when the process has exited (for any reason). */
  exited: Promise<void>;
  /** True until the process has exited. */
  alive(): boolean;
  /** How it exited: its code, or the signal that ended it (both null while it runs). */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null };
  /** The last 200 kB it wrote to stdout / stderr (the log). */
  stdout(): string;
  stderr(): string;
  /** SIGKILL now (no clean-up runs), then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean close), SIGKILL after the grace time; waits for the exit. */
  stop(): Promise<void>;
}

export interface NodeOptions {
  /** What the process is, for error messages. */
  name: string;
  /** The line that says it is ready, and the stream it is written to. */
  ready: RegExp;
  readyOn: "stdout" | "stderr";
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. ["--cpu-prof"] (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** How long to wait for the ready line (default 30 s). */
  timeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 10 s). */
  graceMs?: number;
  /** Run without `--import tsx` (a script Node runs by itself, with type stripping). */
  tsx?: boolean;
  /** The node binary (default process.execPath) and the working folder (default the root). */
  node?: string;
  cwd?: string;
}

/** Runs `node --import tsx <script> <args>` (or without tsx) and waits for its ready line. */
export async function startNode(
  script: string,
  args: string[],
  opts: NodeOptions,
): Promise<NodeProcess> {
  const child = spawn(
    opts.node ?? process.execPath,
    [...(opts.nodeArgs ?? []), ...(opts.tsx === false ? [] : ["--import", "tsx"]), script, ...args],
    { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs = { stdout: "", stderr: "" };
  for (const stream of ["stdout", "stderr"] as const) {
    child[stream]?.setEncoding("utf8").on("data", (c: string) => {
      logs[stream] = (logs[stream] + c).slice(-200_000);
    });
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const ready = await readyLine(
    child,
    opts,
    () => logs[opts.readyOn],
    () => logs.stderr,
  );
  const end = async (signal: NodeJS.Signals) => {
    if (alive()) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.graceMs ?? 10_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    pid: child.pid ?? 0,
    ready,
    exited,
    alive,
    exitStatus: () => ({ code: child.exitCode, signal: child.signalCode }),
    stdout: () => logs.stdout,
    stderr: () => logs.stderr,
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
  };
}

function readyLine(
  child: ChildProcess,
  opts: NodeOptions,
  output: () => string,
  log: () => string,
): Promise<RegExpExecArray> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      finish();
      child.kill("SIGKILL");
      reject(new Error(`${opts.name} ${why}:\n${log().slice(-3000)}`));
    };
    // Checked after every chunk has been added to the output (the listener above runs first).
    const onData = () => {
      const m = opts.ready.exec(output());
      if (m) {
        finish();
        resolve(m);
      }
    };
    const onExit = (code: number | null) => fail(`exited (${code}) before it was ready`);
    const timer = setTimeout(() => fail(`was not ready within ${timeoutMs} ms`), timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      child[opts.readyOn]?.off("data", onData);
      child.off("exit", onExit);
    };
    child[opts.readyOn]?.on("data", onData);
    child.once("exit", onExit);
  });
}

export interface Served extends NodeProcess {
  /** Where it listens, e.g. http://127.0.0.1:41234/ */
  url: string;
}

export interface ServeOptions
  extends Partial<Pick<NodeOptions, "env" | "nodeArgs" | "timeoutMs" | "graceMs">> {
  /** `--site <dir>`: also serve this built site (the XRDS the provider role needs). */
  siteDir?: string;
  /** A script run instead of the CLI, given the same `serve --config <file>` arguments. */
  entry?: string;
}

/** `eleventy-federation serve --config <configFile>`, ready once it logs "listening on <url>". */
export async function serve(configFile: string, opts: ServeOptions = {}): Promise<Served> {
  const args = ["serve", "--config", configFile];
  if (opts.siteDir) args.push("--site", opts.siteDir);
  const proc = await startNode(opts.entry ?? CLI, args, {
    ...opts,
    name: "sidecar",
    ready: /listening on (http:\/\/\S+\/)/,
    readyOn: "stderr",
  });
  return { ...proc, url: proc.ready[1] ?? "" };
}

/**
 * One CLI command on `configFile`, as a shell runs it: resolves with its output, rejects
 * (with code, stdout and stderr on the error) when it exits non-zero.
 */
export function cli(
  configFile: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stdout: string; stderr: string }> {
  const database = databaseOf(configFile);
  return promisify(execFile)(
    process.execPath,
    ["--import", "tsx", CLI, ...args, "--config", configFile],
    {
      cwd: ROOT,
      env: database ? { ...env, [DATABASE_URL_VARIABLE]: database } : env,
      timeout: 30_000,
    },
  );
}
