/**
 * The interop tests' independent ActivityPub peer: a real Fedify server
 * (test/fixtures/fedify-peer, with its own node_modules) run as a child process on loopback,
 * driven through its JSON control API.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { FollowState, ReceivedActivity } from "../fixtures/fedify-peer/peer.js";
import { type NodeProcess, ROOT, startNode } from "./serve-process.js";

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

/** A Note for the peer to post; public (to Public, cc followers) unless `to: "followers"`. */
export interface PostOptions {
  /** HTML. */
  content: string;
  /** The id of the object it answers; its author gets the Create too (and is cc'd). */
  inReplyTo?: string;
  /** An actor URL: put in `to` and `tag` (a Mention), and sent the Create too. */
  mention?: string;
  summary?: string;
  attachment?: { url: string; mediaType: string; name: string }[];
  sensitive?: boolean;
  to?: "public" | "followers";
}

export interface FedifyPeer {
  url: string;
  /** The peer's actor, `<url>/users/peer`. */
  actorUrl: string;
  /** `peer@127.0.0.1:PORT`, which its WebFinger answers for. */
  handle: string;
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
  /**
   * Posts a Note (`<url>/notes/<uuid>`, served as activity+json) and sends its Create to the
   * followers and to the mentioned and replied-to actors. Like every action below, it resolves
   * once each inbox took the activity (Fedify's `immediate` send: no queue, no retry) and
   * rejects with the inbox's error when one did not.
   */
  post(options: PostOptions): Promise<{ noteId: string; activityId: string }>;
  /** Replaces the Note's content (`updated` now); Update to the audience of its Create. */
  edit(noteId: string, content: string): Promise<{ activityId: string }>;
  /** Delete with a Tombstone to the audience of its Create; the Note then answers 410. */
  delete(noteId: string): Promise<{ activityId: string }>;
  /** Announce of `object` (an id) to the followers and the object's author. */
  boost(object: string): Promise<{ activityId: string }>;
  /** Like of `object` (an id) to the object's author. */
  like(object: string): Promise<{ activityId: string }>;
  /** Undo of a Like or Announce the peer sent, to the same audience. */
  undo(activityId: string): Promise<{ activityId: string }>;
  /**
   * POSTs `activity` unchanged to `inbox`, HTTP-signed as the peer (`spec`, else its first
   * knock; no second knock, no proof). Resolves with the inbox's answer whatever its status.
   */
  sendRaw(
    inbox: string,
    activity: Record<string, unknown>,
    opts?: { spec?: FirstKnock },
  ): Promise<{ status: number; body: string }>;
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
  let child: NodeProcess;
  try {
    child = await startNode(path.join(FIXTURE, "peer.ts"), [], {
      name: "fedify peer",
      ready: /^\{"ready":true,"url":"(http:\/\/127\.0\.0\.1:\d+)"\}$/m,
      readyOn: "stdout",
      env,
      tsx: false,
      node: nodeBinary(),
      cwd: FIXTURE,
      timeoutMs: READY_MS,
      graceMs: GRACE_MS,
    });
  } catch (e) {
    const missing = /ERR_MODULE_NOT_FOUND|own node_modules/.test((e as Error).message);
    throw missing ? new Error(`${(e as Error).message}\n(${INSTALL})`) : e;
  }
  const url = child.ready[1] as string;

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
    handle: `peer@${new URL(url).host}`,
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
    post: (options) => call("POST", "post", options),
    edit: (noteId, content) => call("POST", "edit", { noteId, content }),
    delete: (noteId) => call("POST", "delete", { noteId }),
    boost: (object) => call("POST", "boost", { object }),
    like: (object) => call("POST", "like", { object }),
    undo: (activityId) => call("POST", "undo", { activityId }),
    sendRaw: (inbox, activity, opts = {}) => call("POST", "send-raw", { inbox, activity, ...opts }),
    following: () => call("GET", "following"),
    followers: () => call("GET", "followers"),
    signatureSpecs: () => call("GET", "signature-specs"),
    reset: () => call("POST", "reset"),
    stderr: () => child.stderr(),
    close: () => child.stop(),
  };
}
