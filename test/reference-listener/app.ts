import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { profilePage, xrdsDocument } from "./documents.js";
import { type Params, parseOAuthHeader, parseParams } from "./oauth.js";
import { push } from "./push.js";
import type { ListenerState } from "./state.js";
import { accessToken, authorize, type Incoming, type Reply, requestToken, text } from "./tokens.js";
import type { ControlRequest } from "./types.js";

/** Requests larger than this are refused: the listener only ever gets small forms. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Starts the listener's HTTP server on host:port (0 = any free port). */
export async function listen(
  makeState: (base: string) => ListenerState,
  host: string,
  port: number,
): Promise<{ server: Server; port: number; state: ListenerState }> {
  let state: ListenerState | undefined;
  const server = createServer((req, res) => {
    if (!state) return void res.writeHead(503).end();
    handle(state, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`reference listener error: ${String(err)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  state = makeState(`http://${hostPart}:${actual}`);
  return { server, port: actual, state };
}

async function handle(state: ListenerState, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", state.base);
  const method = req.method ?? "GET";
  const body = await readBody(req);
  if (url.pathname === "/_seen" && method === "GET") return json(res, 200, state.seen());
  if (url.pathname === "/_control" && method === "POST") {
    try {
      return json(res, 200, state.control(JSON.parse(body) as ControlRequest));
    } catch (e) {
      return json(res, 400, { error: (e as Error).message });
    }
  }
  const params: Params = {
    ...parseParams(url.search.slice(1)),
    ...(isForm(req) ? parseParams(body) : {}),
    ...parseOAuthHeader(req.headers.authorization),
  };
  const incoming: Incoming = { method, path: url.pathname, url: state.base + url.pathname, params };
  const reply = route(state, incoming);
  const status = "status" in reply ? reply.status : 0;
  state.requests.push({
    method,
    path: url.pathname,
    params,
    signatureValid: reply.signatureValid,
    status,
    ...("error" in reply && reply.error ? { error: reply.error } : {}),
    at: new Date().toISOString(),
  });
  const delay = /^\/(postnotice|updateprofile)$/.test(url.pathname) ? state.modes.pushDelayMs : 0;
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  if ("hang" in reply) return; // the socket stays open until the client or stop() ends it
  if ("reset" in reply) return void req.socket.destroy();
  res.writeHead(reply.status, reply.headers ?? {});
  res.end(reply.body);
}

function route(state: ListenerState, req: Incoming): Reply {
  const { method, path } = req;
  const post = method === "POST";
  if (path === "/requesttoken" && post) return requestToken(state, req);
  if (path === "/userauthorization" && (method === "GET" || post)) return authorize(state, req);
  if (path === "/accesstoken" && post) return accessToken(state, req);
  if (path === "/postnotice" && post) return push(state, "postNotice", req);
  if (path === "/updateprofile" && post) return push(state, "updateProfile", req);
  if (method !== "GET") return text(405, "Method not allowed", null);
  return discovery(state, path);
}

/** Profile pages, identifier redirects and XRDS documents, shaped by the discovery mode. */
function discovery(state: ListenerState, path: string): Reply {
  const mode = state.modes.discovery;
  const idMatch = /^\/user\/(\d+)$/.exec(path);
  if (idMatch) {
    const user = state.users.find((u) => u.id === Number(idMatch[1]));
    if (user)
      return { status: 301, headers: { Location: user.profile }, body: "", signatureValid: null };
  }
  const m = /^\/([A-Za-z0-9]+)(\/xrds)?$/.exec(path);
  const user = m ? state.userByNickname(m[1] ?? "") : undefined;
  if (!m || !user) return text(404, "Not found", null);
  if (m[2]) {
    if (mode === "no-xrds") return text(404, "No such XRDS", null);
    return {
      status: 200,
      headers: { "Content-Type": "application/xrds+xml" },
      body: xrdsDocument(state.base, user, mode),
      signatureValid: null,
    };
  }
  const xrdsUrl = mode === "no-yadis" ? null : `${state.base}/${user.nickname}/xrds`;
  return {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      ...(xrdsUrl ? { "X-XRDS-Location": xrdsUrl } : {}),
    },
    body: profilePage(user, xrdsUrl),
    signatureValid: null,
  };
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers["content-type"] ?? "")
    .toLowerCase()
    .startsWith("application/x-www-form-urlencoded");
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(value));
}
