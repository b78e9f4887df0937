/**
 * What the ActivityPub fuzzer runs against: a real sidecar process (the AP wing on, its
 * site with three posts already published), the test actor bob (a real actor on loopback
 * that signs correctly), and the peer (ap-peer.ts: near-miss signatures, junk key
 * documents). The SSRF guard must let loopback through for those two, so every generated
 * request is checked by `staysHome` first: no URL in it names any other origin.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { type AP_PATHS, apUrl, postObjectKey } from "../../../contract/activitypub-paths.js";
import { startTestActor, type TestActor } from "../../helpers/ap-test-actor.js";
import { testNotice } from "../../helpers/receiver-manifest.js";
import {
  OWN_PROFILE,
  runCli,
  startTarget,
  type Target,
} from "../../helpers/remote-listenee-target.js";
import { type Peer, startPeer } from "./ap-peer.js";
import type { FuzzRequest } from "./sender.js";

export interface ApWorld {
  target: Target;
  bob: TestActor;
  peer: Peer;
  nickname: string;
  /** Sidecar-relative paths of the AP documents. */
  paths: {
    actor: string;
    inbox: string;
    sharedInbox: string;
    outbox: string;
    followers: string;
    following: string;
    post: string;
  };
  /** Our actor's id. */
  actorId: string;
  /** Origins a generated URL may name: the sidecar, bob, the peer, and a closed port. */
  origins: string[];
  close(): Promise<void>;
}

export const CLOSED_ORIGIN = "http://127.0.0.1:1";

/** A special scheme or a `//` authority, however spelt (tabs and newlines are ignored in URLs). */
const URL_START = /(?:https?|wss?|ftp|file)\s*:|[/\\]{2}|%2f%2f|%5c%5c/i;

const MARK = "\u{10fffe}";
const PRELOADED =
  /https:\/\/(?:www\.w3\.org\/ns\/activitystreams|w3id\.org\/security\/v1)(?=[#"\s;,]|$)/g;

/**
 * True when every URL `text` may hold is at one of `origins` (each followed by a path, query,
 * fragment, quote or the end: no `@` or digit that would make it another host or port).
 * Strict on purpose: with the SSRF guard off for loopback, a stray URL could reach any host.
 */
export function staysHome(text: string, origins: readonly string[]): boolean {
  if (text.includes(MARK)) return false;
  let rest = text.replace(/[\t\n\r]/g, "");
  // contexts Fedify has preloaded are never fetched (only these exact URLs)
  rest = rest.replace(PRELOADED, "");
  for (const o of [...origins].sort((a, b) => b.length - a.length)) rest = rest.split(o).join(MARK);
  rest = rest.replace(new RegExp(`${MARK}(?=[/?#"]|$)`, "gu"), "");
  return !rest.includes(MARK) && !URL_START.test(rest);
}

/** Every string in a JSON value, its keys too, decoded (so no escape hides a URL). */
function jsonStrings(v: unknown, out: string[], depth = 0): void {
  if (depth > 100_000) return;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) jsonStrings(x, out, depth + 1);
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      jsonStrings(x, out, depth + 1);
    }
  }
}

/** `staysHome` for every string in a value (id thunks are dropped: they make home URLs). */
export function valueStaysHome(v: unknown, origins: readonly string[]): boolean {
  const texts: string[] = [];
  jsonStrings(v, texts);
  return texts.every((t) => staysHome(t, origins));
}

/** `staysHome` for a whole request: path, header values, and the body as text and as JSON. */
export function requestStaysHome(req: FuzzRequest, origins: readonly string[]): boolean {
  const texts = [req.path, ...req.headers];
  try {
    texts.push(decodeURIComponent(req.path));
  } catch {
    // a malformed escape decodes to nothing fetchable
  }
  if (req.body) {
    const utf8 = req.body.toString("utf8");
    texts.push(utf8, req.body.toString("latin1"));
    try {
      jsonStrings(JSON.parse(utf8), texts);
    } catch {
      // not JSON: read as text above
    }
  }
  return texts.every((t) => staysHome(t, origins));
}

export async function startApWorld(): Promise<ApWorld> {
  const target = await startTarget({
    start: false,
    config: {
      logLevel: "info",
      activitypub: { manuallyApprovesFollowers: false },
      // past the per-client limit, so every request reaches Fedify (429s are tested elsewhere)
      inbound: { activitiesPerMinute: 1_000_000_000 },
    },
  });
  const manifest = JSON.parse(await readFile(target.manifestFile, "utf8"));
  manifest.notices = [1, 2, 3].map((i) => testNotice(target.url, i));
  await writeFile(target.manifestFile, JSON.stringify(manifest));
  // the first sync records the posts as already published, so their objects are served
  const sync = await runCli(target, ["sync"]);
  assert.equal(sync.code, 0, sync.stderr);
  await target.start();
  const bob = await startTestActor("bob");
  const peer = await startPeer(() => bob.id);
  const nickname = OWN_PROFILE.nickname;
  const rel = (p: keyof typeof AP_PATHS, values = {}) =>
    apUrl("", p, { identifier: nickname, ...values });
  const world: ApWorld = {
    target,
    bob,
    peer,
    nickname,
    paths: {
      actor: rel("actor"),
      inbox: rel("inbox"),
      sharedInbox: rel("sharedInbox"),
      outbox: rel("outbox"),
      followers: rel("followers"),
      following: rel("following"),
      post: rel("post", { id: postObjectKey(`${target.url}posts/1/`) }),
    },
    actorId: apUrl(target.url, "actor", { identifier: nickname }),
    origins: [target.url.replace(/\/$/, ""), new URL(bob.id).origin, peer.origin, CLOSED_ORIGIN],
    close: async () => {
      await bob.close();
      await peer.close();
      await target.dispose();
    },
  };
  try {
    // the actor's key pair is made on first use (a store write): before the fuzzing; and the
    // post cases hit a real post
    for (const p of [world.paths.actor, world.paths.post]) {
      const res = await fetch(`${target.url}${p.slice(1)}`, {
        headers: { accept: "application/activity+json" },
      });
      assert.equal(res.status, 200, `${p} is served: ${(await res.text()).slice(0, 300)}`);
    }
  } catch (err) {
    await world.close();
    throw err;
  }
  return world;
}
