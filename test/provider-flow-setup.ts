// Shared setup for the provider-flow tests: a real sidecar with a build hook, a browser, remotes.
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before } from "node:test";
import { RemoteListenee } from "./helpers/remote-listenee.js";
import { Browser } from "./helpers/remote-listenee-browser.js";
import { passwordHash } from "./helpers/remote-listenee-flow.js";
import { startTarget, type Target } from "./helpers/remote-listenee-target.js";

export const HOOK_SECRET = "flow-test-secret";
export let target: Target;
let buildHook: Server;
export let buildHookCalls = 0;
export const browser = new Browser();
const remotes: RemoteListenee[] = [];

export async function remote(nickname: string): Promise<RemoteListenee> {
  const r = await RemoteListenee.start({ nickname, fullname: `${nickname} Remote` });
  remotes.push(r);
  return r;
}

/** Polls `check` every 50 ms for up to `ms`; the last result is returned either way. */
export async function eventually<T>(
  check: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 5000,
): Promise<T> {
  const end = Date.now() + ms;
  let v = await check();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    v = await check();
  }
  return v;
}

export interface Export {
  version: number;
  following: { uri: string; profile: { nickname: string } }[];
  inbox: { uri: string; content: string }[];
}

export async function exportFile(): Promise<Export | null> {
  try {
    return JSON.parse(
      await readFile(path.join(path.dirname(target.dataFile), "inbox.json"), "utf8"),
    );
  } catch {
    return null;
  }
}

/** Starts the build hook and the sidecar before the file's tests, and stops all after them. */
export function setUpFlowTarget(): void {
  before(async () => {
    buildHook = createServer((req, res) => {
      if (req.method === "POST") buildHookCalls++;
      res.writeHead(200).end("{}");
    });
    buildHook.listen(0, "127.0.0.1");
    await once(buildHook, "listening");
    const hookUrl = `http://127.0.0.1:${(buildHook.address() as AddressInfo).port}/build_hooks/abc`;
    target = await startTarget({
      passwordHash: await passwordHash(),
      hookSecret: HOOK_SECRET,
      config: { buildHook: { url: hookUrl, debounceSeconds: 0.3 } },
    });
  });

  after(async () => {
    for (const r of remotes) await r.close();
    await target?.dispose();
    buildHook?.close();
  });
}
