/** HttpClient limits and failures: body caps, timeouts, DNS and connection errors, options. */
import assert from "node:assert/strict";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { HttpClient } from "./client.js";
import { client, rejectsWith, scriptedLookup, startServers } from "./client.test-helper.js";
import type { LoopbackServer } from "./loopback.test-helper.js";

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
    ({ a, b } = await startServers());
  });

  after(async () => {
    await a.close();
    await b.close();
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

  it("bodyCaps lower the cap for one request, or only for the media types they name", async () => {
    const http = client({ maxResponseBytes: 3 * 1024 * 1024 });
    const advice = "A real XRDS document is about 3 KB, so this one is refused.";
    try {
      await rejectsWith(
        http.get(a.url("/big"), {}, { bodyCaps: [{ maxBytes: 65536, advice }] }),
        "too-large",
        /sent a body, more than the 65536 bytes allowed\. A real XRDS document is about 3 KB/,
      );
      const otherType = { maxBytes: 65536, advice, types: ["application/xrds+xml"] };
      const res = await http.get(a.url("/big"), {}, { bodyCaps: [otherType] });
      assert.equal(res.body.length, 2 * 1024 * 1024, "a cap for another type does not apply");
      // The lowest cap that applies wins; a truncating one keeps the first maxBytes.
      const truncating = { maxBytes: 100_000, advice: "", truncate: true };
      const cut = await http.get(a.url("/big"), {}, { bodyCaps: [otherType, truncating] });
      assert.equal(cut.body, "a".repeat(100_000));
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
