import { fileURLToPath } from "node:url";
import { startNode } from "../helpers/serve-process.js";
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

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));

/** Spawns the reference listener as its own process and waits (bounded) for its port. */
export async function startReferenceListener(
  opts: ReferenceListenerOptions = {},
): Promise<ReferenceListener> {
  const args = ["--port", "0", "--users", (opts.users ?? ["alice"]).join(",")];
  if (opts.modes) args.push("--modes", JSON.stringify(opts.modes));
  const proc = await startNode(SERVER, args, {
    name: "reference listener",
    ready: /^listening (\d+)$/m,
    readyOn: "stdout",
    timeoutMs: opts.startTimeoutMs ?? 15_000,
    graceMs: 5_000,
  });
  const port = Number(proc.ready[1]);
  const url = `http://127.0.0.1:${port}`;
  const call = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(url + path, { ...init, signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`reference listener ${path}: ${res.status} ${body.error ?? ""}`);
    return body;
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
    stop: proc.stop,
    kill: proc.kill,
  };
}
