/** Slow clients cannot starve the sidecar: connection caps per address and in total, header timeouts. */
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { test } from "node:test";
import { type FileConfig, parseConfig } from "../../sidecar/config.js";
import { createLogger } from "../../sidecar/log.js";
import { type RunningSidecar, startSidecar } from "../../sidecar/server.js";
import { addressKey } from "../../sidecar/web/connection-limits.js";

const SLOW = 200;
/** The start of a request whose headers never end. */
const PARTIAL = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

function start(extra: Partial<FileConfig>): Promise<RunningSidecar> {
  const config = parseConfig(
    {
      siteUrl: "http://127.0.0.1/",
      publicUrl: "http://127.0.0.1/",
      dataFile: ":memory:",
      port: 0,
      logLevel: "silent",
      ...extra,
    },
    "test",
    process.cwd(),
    {},
  );
  return startSidecar(config, { log: createLogger("silent") });
}

interface Client {
  socket: net.Socket;
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>;
}

/** A connection from `localAddress` that sends `text` once connected and then nothing more. */
function slowClient(port: number, localAddress: string, text: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", localAddress });
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      received += d;
    });
    socket.on("error", () => {}); // a reset is one way of being cut off
    const closed = new Promise<string>((done) => socket.once("close", () => done(received)));
    socket.once("connect", () => {
      if (text) socket.write(text);
      resolve({ socket, closed });
    });
    socket.once("error", reject);
  });
}

/** GET /healthz from `localAddress` on a connection of its own. */
function healthz(port: number, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: "127.0.0.1", port, path: "/healthz", localAddress, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
  });
}

/** Resolves once `n` of the clients have been closed by the server. */
function closedCount(clients: Client[], n: number): Promise<Client[]> {
  return new Promise((resolve) => {
    const done: Client[] = [];
    for (const c of clients) {
      void c.closed.then(() => {
        done.push(c);
        if (done.length === n) resolve(done);
      });
    }
  });
}

/** Ends the headers of a held request and reads the answer until the server closes. */
async function finish(c: Client): Promise<string> {
  c.socket.end("1\r\nConnection: close\r\n\r\n");
  return c.closed;
}

test("200 slow clients from 127.0.0.1 hold 8 connections; 127.0.0.2 still gets /healthz", {
  timeout: 20_000,
}, async () => {
  const cap = 8;
  const running = await start({
    limits: {
      maxConnections: 24,
      connectionsPerAddress: cap,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
    },
  });
  const port = (running.server.address() as net.AddressInfo).port;
  const slow: Client[] = [];
  try {
    for (let i = 0; i < SLOW; i++) slow.push(await slowClient(port, "127.0.0.1", PARTIAL));
    // Accepted after every slow connection: the server has judged all of them by now.
    const healthy = await healthz(port, "127.0.0.2");
    assert.deepEqual(healthy, { status: 200, body: "ok" });
    const cut = await closedCount(slow, SLOW - cap);
    for (const c of cut) assert.equal(await c.closed, "", "refused before reading anything");
    const held = slow.filter((c) => !cut.includes(c));
    assert.equal(held.length, cap);
    // The held ones were real connections, answered once their headers end.
    for (const c of held) assert.match(await finish(c), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
  } finally {
    for (const c of slow) c.socket.destroy();
    await running.close();
  }
});

test("slow clients, silent or sending half a header, are cut with a 408 after headersTimeoutMs", {
  timeout: 20_000,
}, async () => {
  const running = await start({
    limits: { headersTimeoutMs: 300, requestTimeoutMs: 300 },
  });
  const port = (running.server.address() as net.AddressInfo).port;
  const slow: Client[] = [];
  try {
    for (let i = 0; i < 5; i++) slow.push(await slowClient(port, "127.0.0.1", PARTIAL));
    for (let i = 0; i < 3; i++) slow.push(await slowClient(port, "127.0.0.1", ""));
    assert.deepEqual(await healthz(port, "127.0.0.2"), { status: 200, body: "ok" });
    for (const c of slow) assert.match(await c.closed, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  } finally {
    for (const c of slow) c.socket.destroy();
    await running.close();
  }
});

test("connections from a trusted reverse proxy are not capped per address", {
  timeout: 20_000,
}, async () => {
  const running = await start({
    trustProxy: "loopback",
    limits: { connectionsPerAddress: 2, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 },
  });
  const port = (running.server.address() as net.AddressInfo).port;
  const slow: Client[] = [];
  try {
    for (let i = 0; i < 6; i++) slow.push(await slowClient(port, "127.0.0.1", PARTIAL));
    for (const c of slow) assert.match(await finish(c), /^HTTP\/1\.1 200 OK\r\n/);
  } finally {
    for (const c of slow) c.socket.destroy();
    await running.close();
  }
});

test("limits: documented defaults, and a request timeout shorter than the header timeout is refused", () => {
  const config = parseConfig({ siteUrl: "http://a/", publicUrl: "http://a/" }, "test", "/", {});
  assert.deepEqual(config.limits, {
    maxConnections: 1000,
    connectionsPerAddress: 64,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
  });
  assert.throws(
    () =>
      parseConfig(
        { siteUrl: "http://a/", publicUrl: "http://a/", limits: { requestTimeoutMs: 5_000 } },
        "test",
        "/",
        {},
      ),
    /limits\.requestTimeoutMs: must not be shorter than limits\.headersTimeoutMs/,
  );
});

test("one client address: an IPv4 address (mapped or not) is itself, an IPv6 address its /64", () => {
  assert.equal(addressKey("203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("::ffff:203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:0db8:0001:0002:ffff:1:2:3"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(addressKey("::1"), "0:0:0:0::/64");
  assert.equal(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
});
