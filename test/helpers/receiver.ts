import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OMB_SUCCESS_BODY } from "../../protocol/omb/constants.js";
import { parseForm, verifySignature } from "../../protocol/omb/oauth.js";

/**
 * A minimal in-process OMB receiver for delivery tests: any number of destinations at
 * `/r/<id>/postnotice` and `/r/<id>/updateprofile` on one loopback port, each answering by
 * its mode. It records what arrived and checks each signature against the token secrets it
 * was given. (The independent reference listener in test/reference-listener/ is the interop
 * check; this one is small and fast enough for hundreds of destinations.)
 */
export type ReceiverMode =
  | "ok"
  | "500"
  | "503-retry-after"
  | "403"
  | "400"
  | "429"
  | "hang"
  | "reset"
  | "wrong-body";

export interface ReceivedPush {
  path: string;
  params: Record<string, string>;
  signatureValid: boolean | null;
  status: number | "hang" | "reset";
}

export interface TestReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  postNoticeUrl(id: number | string): string;
  updateProfileUrl(id: number | string): string;
  /** Mode of one destination (by id), or of every destination without its own. */
  setMode(mode: ReceiverMode, id?: number | string): void;
  /** Token → secret, for signature checks. */
  secrets: Map<string, string>;
  /** Tokens answered 403 (revoked by their listener), whatever the mode. */
  revoked: Set<string>;
  pushes: ReceivedPush[];
  /** Notice URIs received (answered 200) per destination id, in order. */
  notices(id: number | string): string[];
  /** Called for every push before it is answered. */
  onPush?: (push: ReceivedPush) => void;
  close(): Promise<void>;
}

export async function startReceiver(opts: { mode?: ReceiverMode } = {}): Promise<TestReceiver> {
  let fallback: ReceiverMode = opts.mode ?? "ok";
  const modes = new Map<string, ReceiverMode>();
  const secrets = new Map<string, string>();
  const revoked = new Set<string>();
  const pushes: ReceivedPush[] = [];
  const byId = new Map<string, string[]>();
  const hanging = new Set<ServerResponse>();
  let base = "";

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const m = /^\/r\/([^/]+)\/(postnotice|updateprofile)$/.exec(path);
    if (!m || req.method !== "POST") {
      res.writeHead(404).end("not found");
      return;
    }
    const id = m[1] ?? "";
    const params = parseForm(Buffer.concat(chunks).toString("utf8"));
    const secret = secrets.get(params.oauth_token ?? "");
    const signatureValid =
      secret === undefined ? null : verifySignature("POST", base + path, params, "", secret);
    const mode = revoked.has(params.oauth_token ?? "") ? "403" : (modes.get(id) ?? fallback);
    const push: ReceivedPush = { path, params, signatureValid, status: 200 };
    pushes.push(push);
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      push.status = status;
      receiver.onPush?.(push);
      res.writeHead(status, { "content-type": "text/plain", ...headers }).end(body);
    };
    switch (mode) {
      case "ok":
        if (m[2] === "postnotice" && params.omb_notice) {
          const list = byId.get(id) ?? [];
          list.push(params.omb_notice);
          byId.set(id, list);
        }
        return answer(200, OMB_SUCCESS_BODY);
      case "wrong-body":
        return answer(200, "<html>maintenance</html>");
      case "500":
        return answer(500, "<h1>500</h1>");
      case "503-retry-after":
        return answer(503, "busy", { "retry-after": "1" });
      case "403":
        return answer(403, `Revoked accesstoken for ${params.omb_listenee ?? ""}`);
      case "400":
        return answer(400, "Invalid notice content");
      case "429":
        return answer(429, "slow down", { "retry-after": "0" });
      case "hang":
        push.status = "hang";
        receiver.onPush?.(push);
        hanging.add(res);
        return;
      case "reset":
        push.status = "reset";
        receiver.onPush?.(push);
        req.socket.destroy();
        return;
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const receiver: TestReceiver = {
    url: base,
    postNoticeUrl: (id) => `${base}/r/${id}/postnotice`,
    updateProfileUrl: (id) => `${base}/r/${id}/updateprofile`,
    setMode: (mode, id) => {
      if (id === undefined) fallback = mode;
      else modes.set(String(id), mode);
    },
    secrets,
    revoked,
    pushes,
    notices: (id) => byId.get(String(id)) ?? [],
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** Polls `check` every few ms until it holds; fails after `timeoutMs` with `what`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
