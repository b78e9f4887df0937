/** HttpClient redirects and requests: relative, loops, schemes, Authorization, forms, keep-alive. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { client, rejectsWith, startServers } from "./client.test-helper.js";
import type { LoopbackServer } from "./loopback.test-helper.js";

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
});
