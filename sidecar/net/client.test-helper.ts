/** Shared setup for the HttpClient tests: the loopback servers, scripted DNS, rejectsWith. */
import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import { FetchError, HttpClient, type HttpClientOptions, type LookupFunction } from "./client.js";
import { type LoopbackServer, startLoopbackServer } from "./loopback.test-helper.js";

export function client(opts: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({ allowPrivateNetworks: true, ...opts });
}

/** A resolver that answers from a script and counts its calls. */
export function scriptedLookup(answers: (call: number) => string[] | Error | null) {
  let calls = 0;
  const lookup: LookupFunction = (_host, _opts, callback) => {
    const answer = answers(calls++);
    if (answer === null) return; // never answers
    if (answer instanceof Error) callback(answer, []);
    else
      callback(
        null,
        answer.map(
          (address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 }),
        ),
      );
  };
  return { lookup, calls: () => calls };
}

export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  pattern?: RegExp,
): Promise<FetchError> {
  const err = await promise.then(
    () => assert.fail(`expected a FetchError ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof FetchError, `not a FetchError: ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
  return err;
}

/** Server `a` on 127.0.0.1 (one route per behaviour under test) and server `b` beside it. */
export async function startServers(): Promise<{ a: LoopbackServer; b: LoopbackServer }> {
  const a: LoopbackServer = await startLoopbackServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/hello") {
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.setHeader("x-seen-accept", req.headers.accept ?? "");
      res.end("héllo from a");
    } else if (url.pathname === "/to-b") {
      res.writeHead(302, { location: `http://127.0.0.2:${a.port}/secret` }).end();
    } else if (url.pathname === "/to-rebind-name") {
      res.writeHead(301, { location: `http://inside.test:${a.port}/secret` }).end();
    } else if (url.pathname === "/relative") {
      res.writeHead(303, { location: "hello?via=relative" }).end();
    } else if (url.pathname === "/to-file") {
      res.writeHead(302, { location: "file:///etc/passwd" }).end();
    } else if (url.pathname === "/loop") {
      res
        .writeHead(302, { location: `/loop?n=${Number(url.searchParams.get("n") ?? 0) + 1}` })
        .end();
    } else if (url.pathname === "/cross-origin") {
      res.writeHead(307, { location: `http://localhost:${a.port}/echo-auth` }).end();
    } else if (url.pathname === "/echo-auth") {
      res.end(`auth=${req.headers.authorization ?? "none"}`);
    } else if (url.pathname === "/form") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => {
        body += c;
      });
      req.on("end", () => {
        res.writeHead(302, { location: "/hello", "content-type": "text/plain" });
        res.end(`${req.method} ${req.headers["content-type"]} ${body}`);
      });
    } else if (url.pathname === "/big") {
      // Chunked, no Content-Length: only the streaming cap can stop it.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (let i = 0; i < 32; i++) res.write(chunk);
      res.end();
    } else if (url.pathname === "/silent") {
      // Never answers; the client's timers must give up.
      setTimeout(() => res.destroy(), 5000).unref();
    } else if (url.pathname === "/trickle") {
      res.writeHead(200, { "content-type": "text/plain" });
      let sent = 0;
      const timer = setInterval(() => {
        if (++sent > 50 || res.destroyed) {
          clearInterval(timer);
          res.end();
        } else res.write(".");
      }, 100);
      timer.unref();
    } else {
      res.writeHead(404).end("not here");
    }
  });
  // Same port, other loopback address: what a naive second lookup would reach.
  const b = await startLoopbackServer((_req, res) => res.end("from b"), "127.0.0.2", a.port);
  return { a, b };
}
