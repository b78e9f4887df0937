import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { FetchError, HttpClient, type HttpClientOptions, type LookupFunction } from "./client.js";
import { type LoopbackServer, startLoopbackServer } from "./loopback.test-helper.js";

/** Allows 127.0.0.1 only, so 127.0.0.2 can play a forbidden host on loopback. */
const only127001 = (ip: string) => (ip === "127.0.0.1" ? null : "test-forbidden");

function client(opts: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({ allowPrivateNetworks: true, ...opts });
}

/** A resolver that answers from a script and counts its calls. */
function scriptedLookup(answers: (call: number) => string[] | Error | null) {
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

async function rejectsWith(
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

/** A raw TCP server for responses node:http would refuse to write. */
async function rawServer(
  onSocket: (socket: Socket) => void,
): Promise<{ port: number; server: Server }> {
  const server = createTcpServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => onSocket(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return { port: address.port, server };
}

function closeRaw(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("HttpClient", () => {
  let a: LoopbackServer;
  let b: LoopbackServer;

  before(async () => {
    a = await startLoopbackServer((req, res) => {
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
    b = await startLoopbackServer((_req, res) => res.end("from b"), "127.0.0.2", a.port);
  });

  after(async () => {
    await a.close();
    await b.close();
  });

  it("fetches from loopback when private networks are allowed", async () => {
    const http = client();
    try {
      const res = await http.get(a.url("/hello"), { Accept: "text/plain" });
      assert.equal(res.status, 200);
      assert.equal(res.body, "héllo from a");
      assert.equal(res.headers["content-type"], "text/plain; charset=utf-8");
      assert.equal(res.headers["x-seen-accept"], "text/plain");
      assert.equal(res.url, a.url("/hello"));
      assert.match(a.requests.at(-1)?.headers["user-agent"] ?? "", /^eleventy-federation\//);
    } finally {
      await http.close();
    }
  });

  it("refuses loopback when private networks are not allowed, before connecting", async () => {
    const http = new HttpClient({ allowPrivateNetworks: false });
    const before = a.connections;
    try {
      const err = await rejectsWith(http.get(a.url("/hello")), "forbidden-address", /loopback/);
      assert.equal(err.url, a.url("/hello"));
      assert.ok(err.message.includes(a.url("/hello")), "message names the URL");
      assert.equal(a.connections, before, "no connection was opened");
      await rejectsWith(http.get(`http://[::1]:${a.port}/`), "forbidden-address", /loopback/);
      await rejectsWith(http.get(`http://2130706433:${a.port}/`), "forbidden-address", /loopback/);
      await rejectsWith(http.get(`http://0x7f.1:${a.port}/`), "forbidden-address", /loopback/);
    } finally {
      await http.close();
    }
  });

  it("refuses a name that resolves to a private address (no connection attempted)", async () => {
    const dns = scriptedLookup(() => ["10.20.30.40"]);
    const http = new HttpClient({ allowPrivateNetworks: false, lookup: dns.lookup });
    try {
      await rejectsWith(
        http.get("http://intranet.test/"),
        "forbidden-address",
        /10\.20\.30\.40.*private \(RFC 1918\)/,
      );
      const mapped = scriptedLookup(() => ["::ffff:169.254.169.254"]);
      const http2 = new HttpClient({ allowPrivateNetworks: false, lookup: mapped.lookup });
      await rejectsWith(
        http2.get("http://metadata.test/"),
        "forbidden-address",
        /IPv4-mapped IPv6 of link-local/,
      );
      await http2.close();
    } finally {
      await http.close();
    }
  });

  it("refuses a name whose answer mixes allowed and forbidden addresses", async () => {
    const dns = scriptedLookup(() => ["127.0.0.1", "127.0.0.2"]);
    const http = client({ lookup: dns.lookup, isForbidden: only127001 });
    const before = a.connections;
    try {
      await rejectsWith(
        http.get(`http://mixed.test:${a.port}/hello`),
        "forbidden-address",
        /127\.0\.0\.2.*test-forbidden/,
      );
      assert.equal(a.connections, before);
      assert.equal(b.requests.length, 0);
    } finally {
      await http.close();
    }
  });

  it("connects to the address it vetted: a changing DNS answer cannot slip through", async () => {
    // First answer allowed, every later one forbidden: a second lookup would reach b.
    const dns = scriptedLookup((call) => (call === 0 ? ["127.0.0.1"] : ["127.0.0.2"]));
    const http = client({ lookup: dns.lookup, isForbidden: only127001 });
    try {
      const res = await http.get(`http://rebind.test:${a.port}/hello`);
      assert.equal(res.body, "héllo from a");
      assert.equal(dns.calls(), 1, "one lookup per connection");
      assert.equal(
        a.requests.at(-1)?.headers.host,
        `rebind.test:${a.port}`,
        "Host header keeps the name",
      );
      assert.equal(b.requests.length, 0);
    } finally {
      await http.close();
    }
    // A new connection looks up again, gets the forbidden answer, and is refused.
    const http2 = client({ lookup: dns.lookup, isForbidden: only127001 });
    try {
      await rejectsWith(
        http2.get(`http://rebind.test:${a.port}/hello`),
        "forbidden-address",
        /127\.0\.0\.2/,
      );
      assert.equal(b.requests.length, 0);
    } finally {
      await http2.close();
    }
  });

  it("re-vets every redirect hop", async () => {
    const dns = scriptedLookup(() => ["127.0.0.2"]);
    const http = client({ lookup: dns.lookup, isForbidden: only127001 });
    try {
      await rejectsWith(http.get(a.url("/to-b")), "forbidden-address", /127\.0\.0\.2/);
      await rejectsWith(
        http.get(a.url("/to-rebind-name")),
        "forbidden-address",
        /inside\.test is 127\.0\.0\.2/,
      );
      assert.equal(b.requests.length, 0, "the forbidden host was never reached");
    } finally {
      await http.close();
    }
  });

  it("follows relative redirects and reports the final URL; or returns them when asked", async () => {
    const http = client();
    try {
      const res = await http.get(a.url("/relative"));
      assert.equal(res.status, 200);
      assert.equal(res.url, a.url("/hello?via=relative"));
      const raw = await http.get(a.url("/relative"), {}, { followRedirects: false });
      assert.equal(raw.status, 303);
      assert.equal(raw.headers.location, "hello?via=relative");
    } finally {
      await http.close();
    }
  });

  it("stops a redirect loop after maxRedirects", async () => {
    const http = client({ maxRedirects: 3 });
    const before = a.requests.length;
    try {
      await rejectsWith(http.get(a.url("/loop")), "too-many-redirects", /more than 3 times/);
      assert.equal(a.requests.length - before, 4, "the original request plus three redirects");
    } finally {
      await http.close();
    }
  });

  it("refuses redirects to other schemes and non-web URLs", async () => {
    const http = client();
    try {
      await rejectsWith(
        http.get(a.url("/to-file")),
        "bad-url",
        /file:\/\/\/etc\/passwd.*redirected from/,
      );
      await rejectsWith(http.get("ftp://127.0.0.1/"), "bad-url", /not an http: or https: URL/);
      await rejectsWith(http.get("not a url"), "bad-url", /not a valid URL/);
      await rejectsWith(
        http.get(`http://user:pw@127.0.0.1:${a.port}/`),
        "bad-url",
        /user name or password/,
      );
    } finally {
      await http.close();
    }
  });

  it("drops Authorization when a redirect leaves the origin", async () => {
    const http = client();
    try {
      const res = await http.get(a.url("/cross-origin"), { Authorization: "OAuth secret" });
      assert.equal(res.body, "auth=none");
      const same = await http.get(a.url("/echo-auth"), { Authorization: "OAuth secret" });
      assert.equal(same.body, "auth=OAuth secret");
    } finally {
      await http.close();
    }
  });

  it("posts a form and never follows its redirect", async () => {
    const http = client();
    try {
      const res = await http.postForm(a.url("/form"), "a=1&b=%20x");
      assert.equal(res.status, 302);
      assert.equal(res.body, "POST application/x-www-form-urlencoded a=1&b=%20x");
    } finally {
      await http.close();
    }
  });

  it("keeps connections alive across requests to one origin", async () => {
    const http = client();
    const before = a.connections;
    try {
      // undici may open a second socket while the first is finishing its response.
      for (let i = 0; i < 10; i++) await http.get(a.url("/hello"));
      assert.ok(
        a.connections - before <= 2,
        `${a.connections - before} connections for 10 requests`,
      );
    } finally {
      await http.close();
    }
  });

  it("abandons a body larger than maxResponseBytes", async () => {
    const http = client({ maxResponseBytes: 1024 * 1024 });
    try {
      await rejectsWith(http.get(a.url("/big")), "too-large", /more than the 1048576 bytes/);
      // A smaller body under a larger cap still arrives whole.
      const roomy = client({ maxResponseBytes: 3 * 1024 * 1024 });
      const res = await roomy.get(a.url("/big"));
      assert.equal(res.body.length, 2 * 1024 * 1024);
      await roomy.close();
    } finally {
      await http.close();
    }
  });

  it("refuses at once a body whose Content-Length is over the cap", async () => {
    const { port, server } = await rawServer((socket) => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 53687091200\r\n\r\nonly this");
    });
    const http = client({ totalTimeoutMs: 5000 });
    const started = Date.now();
    try {
      await rejectsWith(
        http.get(`http://127.0.0.1:${port}/`),
        "too-large",
        /announced 53687091200 bytes/,
      );
      assert.ok(Date.now() - started < 2000, "did not wait for the body");
    } finally {
      await http.close();
      await closeRaw(server);
    }
  });

  it("reads no more than a too-small Content-Length, whatever follows", async () => {
    const { port, server } = await rawServer((socket) => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
      socket.end(Buffer.alloc(2 * 1024 * 1024, 0x62));
    });
    const http = client({ maxResponseBytes: 1024 });
    try {
      const res = await http.get(`http://127.0.0.1:${port}/`);
      assert.equal(res.body, "bbbbb");
    } finally {
      await http.close();
      await closeRaw(server);
    }
  });

  it("times out a server that never sends headers", async () => {
    const http = client({ headersTimeoutMs: 300, totalTimeoutMs: 3000 });
    const started = Date.now();
    try {
      await rejectsWith(http.get(a.url("/silent")), "timeout", /no response within 300 ms/);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 2000, `gave up after ${elapsed} ms`);
    } finally {
      await http.close();
    }
  });

  it("bounds the whole request by totalTimeoutMs even while data trickles in", async () => {
    const http = client({ totalTimeoutMs: 500 });
    const started = Date.now();
    try {
      await rejectsWith(http.get(a.url("/trickle")), "timeout", /within 500 ms/);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 450 && elapsed < 2000, `gave up after ${elapsed} ms`);
    } finally {
      await http.close();
    }
  });

  it("times out a resolver that never answers", async () => {
    const dns = scriptedLookup(() => null);
    const http = client({ lookup: dns.lookup, connectTimeoutMs: 300 });
    const started = Date.now();
    try {
      await rejectsWith(
        http.get("http://slow-dns.test/"),
        "timeout",
        /did not resolve within 300 ms/,
      );
      assert.ok(Date.now() - started < 2000);
      // The whole-request limit also covers a slow resolver.
      const short = client({ lookup: dns.lookup, totalTimeoutMs: 200, connectTimeoutMs: 400 });
      await rejectsWith(short.get("http://slow-dns.test/"), "timeout", /within 200 ms/);
      await short.close();
    } finally {
      await http.close();
    }
  });

  it("names DNS failures and refused connections", async () => {
    const notFound = Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.test"), {
      code: "ENOTFOUND",
    });
    const dns = scriptedLookup(() => notFound);
    const http = client({ lookup: dns.lookup });
    const { port, server } = await rawServer(() => {});
    await closeRaw(server); // a port that was just free
    try {
      await rejectsWith(
        http.get("http://nowhere.test/"),
        "dns",
        /could not be resolved.*ENOTFOUND/,
      );
      await rejectsWith(http.get(`http://127.0.0.1:${port}/`), "connect", /ECONNREFUSED/);
    } finally {
      await http.close();
    }
  });

  it("reports a connection closed mid-response as reset", async () => {
    const { port, server } = await rawServer((socket) => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
      socket.destroy();
    });
    const http = client();
    try {
      await rejectsWith(http.get(`http://127.0.0.1:${port}/`), "reset");
    } finally {
      await http.close();
      await closeRaw(server);
    }
  });

  it("validates its options", () => {
    assert.throws(
      () => new HttpClient({ allowPrivateNetworks: false, maxRedirects: -1 }),
      /maxRedirects/,
    );
    assert.throws(
      () => new HttpClient({ allowPrivateNetworks: false, totalTimeoutMs: 1.5 }),
      /totalTimeoutMs/,
    );
  });
});
