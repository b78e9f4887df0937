/** HttpClient address vetting: private networks, mixed answers, DNS rebinding, redirect hops. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HttpClient } from "./client.js";
import { client, rejectsWith, scriptedLookup, startServers } from "./client.test-helper.js";
import type { LoopbackServer } from "./loopback.test-helper.js";

/** Allows 127.0.0.1 only, so 127.0.0.2 can play a forbidden host on loopback. */
const only127001 = (ip: string) => (ip === "127.0.0.1" ? null : "test-forbidden");

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
});
