import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ControlRequest, Modes, Seen } from "./types.js";

export type * from "./types.js";

export interface ReferenceListenerOptions {
  /** Local nicknames (ids 1, 2, … in this order). Default ["alice"]. */
  users?: string[];
  /** Modes at start; change them later with `control`. */
  modes?: Partial<Modes>;
  /** How long to wait for `listening <port>`. Default 15 s. */
  startTimeoutMs?: number;
}

export interface ReferenceListener {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  port: number;
  /** `<url>/<nickname>`: what a visitor types into the subscribe form. */
  profileUrl(nickname: string): string;
  /** `<url>/user/<id>`: the identifier URI (LocalID) of the nth user (1-based). */
  userUri(id: number): string;
  seen(): Promise<Seen>;
  control(request: ControlRequest): Promise<{ modes: Modes; unsubscribed?: number }>;
  /** SIGTERM, then wait for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** SIGKILL at once (a listener that vanishes), and wait for the exit. */
  kill(): Promise<void>;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));

/** Spawns the reference listener as its own process and waits (bounded) for its port. */
export async function startReferenceListener(
  opts: ReferenceListenerOptions = {},
): Promise<ReferenceListener> {
  const args = ["--import", "tsx", SERVER, "--port", "0"];
  args.push("--users", (opts.users ?? ["alice"]).join(","));
  if (opts.modes) args.push("--modes", JSON.stringify(opts.modes));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const port = await waitForPort(child, opts.startTimeoutMs ?? 15_000);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const call = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(url + path, { ...init, signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`reference listener ${path}: ${res.status} ${body.error ?? ""}`);
    return body;
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    url,
    port,
    profileUrl: (nickname) => `${url}/${nickname}`,
    userUri: (id) => `${url}/user/${id}`,
    seen: () => call<Seen>("/_seen"),
    control: (request) =>
      call("/_control", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request),
      }),
    stop: () => stopWith("SIGTERM"),
    kill: () => stopWith("SIGKILL"),
  };
}

function waitForPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const done = (e: Error | null, port?: number) => {
      clearTimeout(timer);
      child.stdout?.off("data", onOut);
      child.stdout?.resume();
      child.off("exit", onExit);
      if (e) {
        child.kill("SIGKILL");
        reject(e);
      } else resolve(port ?? 0);
    };
    const onOut = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const m = /^listening (\d+)$/m.exec(out);
      if (m) done(null, Number(m[1]));
    };
    const onExit = (code: number | null) =>
      done(new Error(`reference listener exited (${code}) before listening: ${err.trim()}`));
    const timer = setTimeout(
      () =>
        done(new Error(`reference listener did not start within ${timeoutMs} ms: ${err.trim()}`)),
      timeoutMs,
    );
    child.stdout?.on("data", onOut);
    child.stderr?.on("data", (chunk: Buffer) => {
      err = (err + chunk.toString("utf8")).slice(-4000);
    });
    child.once("exit", onExit);
  });
}
