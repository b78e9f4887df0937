/**
 * The interop tests' independent ActivityPub peer: a real Fedify server
 * (test/fixtures/fedify-peer, with its own node_modules) run as a child process on loopback,
 * driven through its JSON control API.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { FollowState, ReceivedActivity } from "../fixtures/fedify-peer/peer.js";
import { ROOT } from "./serve-process.js";

export type { FollowState, ReceivedActivity };

const FIXTURE = path.join(ROOT, "test/fixtures/fedify-peer");
const INSTALL = "run npm ci --prefix test/fixtures/fedify-peer";
const READY_MS = 30_000;
const GRACE_MS = 3_000;

export type FirstKnock = "rfc9421" | "draft-cavage-http-signatures-12";

export interface FollowEntry {
  actor: string;
  followId: string;
  state: FollowState;
}

export interface FedifyPeer {
  url: string;
  /** The peer's actor, `<url>/users/peer`. */
  actorUrl: string;
  follow(actor: string): Promise<{ followId: string }>;
  unfollow(actor: string): Promise<{ undoId: string }>;
  /** Every activity its inbox accepted (so verified), oldest first. */
  received(): Promise<ReceivedActivity[]>;
  /** Polls `received()` until `predicate` holds; rejects after `timeoutMs`. */
  waitFor(
    predicate: (received: ReceivedActivity[]) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedActivity[]>;
  following(): Promise<FollowEntry[]>;
  /** Actor ids that follow the peer. */
  followers(): Promise<string[]>;
  /**
   * The signature spec Fedify remembered per origin: the one a server last took, so
   * `{[sidecar origin]: "rfc9421"}` after a delivery that needed no second knock.
   */
  signatureSpecs(): Promise<Record<string, FirstKnock>>;
  /** Forgets what was received, followed and following (not Fedify's own caches). */
  reset(): Promise<void>;
  /** What it wrote to stderr (Fedify's warnings), the last 20 kB. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after a grace time; waits for the exit. */
  close(): Promise<void>;
}

/** Fedify 2 needs Node ≥ 22: the running one, else the Node the project brings. */
function nodeBinary(): string {
  const major = Number(process.versions.node.split(".")[0]);
  return major >= 22 ? process.execPath : path.join(ROOT, "node_modules/.bin/node");
}

function readyUrl(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const fail = (why: string) => {
      finish();
      child.kill("SIGKILL");
      const hint = /ERR_MODULE_NOT_FOUND|own node_modules/.test(stderr()) ? ` (${INSTALL})` : "";
      reject(new Error(`fedify peer ${why}${hint}:\n${stderr().slice(-3000)}`));
    };
    const onData = (chunk: string) => {
      out += chunk;
      const m = /^\{"ready":true,"url":"(http:\/\/127\.0\.0\.1:\d+)"\}$/m.exec(out);
      if (m?.[1]) {
        finish();
        resolve(m[1]);
      }
    };
    const onExit = (code: number | null) => fail(`exited (${code}) before it was ready`);
    const timer = setTimeout(() => fail(`was not ready within ${READY_MS} ms`), READY_MS);
    const finish = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
    };
    child.stdout?.setEncoding("utf8").on("data", onData);
    child.once("exit", onExit);
  });
}

export async function startFedifyPeer(opts: { firstKnock?: FirstKnock } = {}): Promise<FedifyPeer> {
  if (!existsSync(path.join(FIXTURE, "node_modules/@fedify/fedify/package.json"))) {
    throw new Error(`fedify peer: its dependencies are not installed: ${INSTALL}`);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FEDIFY_PEER_FIRST_KNOCK: opts.firstKnock ?? "rfc9421",
  };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  const child = spawn(nodeBinary(), [path.join(FIXTURE, "peer.ts")], {
    cwd: FIXTURE,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    log = (log + c).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await readyUrl(child, () => log);

  const call = async <T>(method: "GET" | "POST", route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/control/${route}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`fedify peer: ${method} /control/${route}: ${json.error}`);
    return json;
  };
  const received = () => call<ReceivedActivity[]>("GET", "received");

  return {
    url,
    actorUrl: `${url}/users/peer`,
    follow: (actor) => call("POST", "follow", { actor }),
    unfollow: (actor) => call("POST", "unfollow", { actor }),
    received,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = await received();
        if (predicate(list)) return list;
        if (Date.now() > deadline) {
          const seen = list.map((a) => a.type).join(", ") || "nothing";
          throw new Error(`fedify peer: timed out after ${timeoutMs} ms; received ${seen}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    following: () => call("GET", "following"),
    followers: () => call("GET", "followers"),
    signatureSpecs: () => call("GET", "signature-specs"),
    reset: () => call("POST", "reset"),
    stderr: () => log,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
