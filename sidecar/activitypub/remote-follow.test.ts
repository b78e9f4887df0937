/** Remote follow by handle: parsing, the JRD's subscribe template, filling it, and WebFinger over loopback. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HttpClient } from "../net/client.js";
import { type LoopbackServer, startLoopbackServer } from "../net/loopback.test-helper.js";
import {
  fillTemplate,
  HandleError,
  looksLikeHandle,
  MAX_JRD_BYTES,
  parseHandle,
  RemoteFollowError,
  remoteFollowUrl,
  SUBSCRIBE_REL,
  subscribeTemplate,
  webFingerUrl,
} from "./remote-follow.js";

const ACTOR = "https://fed.example/ap/users/ann";
const jrd = (links: unknown[]) => JSON.stringify({ subject: "acct:bob@m.example", links });
const sub = (template: unknown) => ({ rel: SUBSCRIBE_REL, template });

function throwsStep(run: () => unknown, step: RemoteFollowError["step"], pattern?: RegExp) {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof RemoteFollowError, String(e));
    assert.equal(e.step, step, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

describe("looksLikeHandle", () => {
  it("tells handles from URLs and other text", () => {
    for (const v of ["@bob@m.example", "bob@m.example", "acct:bob@m.example", "ACCT:x", "@bob"]) {
      assert.ok(looksLikeHandle(v), v);
    }
    for (const v of ["https://m.example/@bob", "http://u@m.example/", "not-a-url", ""]) {
      assert.ok(!looksLikeHandle(v), v);
    }
  });
});

describe("parseHandle", () => {
  it("takes the three spellings and lower-cases the host", () => {
    for (const v of ["@bob@M.Example", "bob@m.example", "acct:bob@m.example", " @bob@m.example "]) {
      assert.deepEqual(parseHandle(v), { user: "bob", host: "m.example" });
    }
    assert.deepEqual(parseHandle("@bob_1.x-y@m.example"), { user: "bob_1.x-y", host: "m.example" });
  });

  it("takes a port only on a loopback host", () => {
    assert.deepEqual(parseHandle("@bob@127.0.0.1:8080"), { user: "bob", host: "127.0.0.1:8080" });
    assert.deepEqual(parseHandle("@bob@localhost:1"), { user: "bob", host: "localhost:1" });
    assert.throws(() => parseHandle("@bob@m.example:443"), /takes no port/);
    assert.throws(() => parseHandle("@bob@10.0.0.1:80"), /takes no port/);
  });

  it("refuses anything else, saying why", () => {
    const cases: [string, RegExp][] = [
      ["@bob", /exactly two @/],
      ["@bob@m.example@x", /exactly two @/],
      ["@@m.example", /user name/],
      ["@b o b@m.example", /user name/],
      [`@${"a".repeat(65)}@m.example`, /user name/],
      ["@bob@", /not an instance's host name/],
      ["@bob@m_x.example", /not an instance's host name/],
      ["@bob@-m.example", /not an instance's host name/],
      ["@bob@m.example/path", /not an instance's host name/],
      ["@bob@[::1]", /not an instance's host name/],
      ["@bob@m.123", /not an instance's host name/],
      ["@bob@intranet", /not an instance's host name/],
      ["@bob@m.example:99999999", /not an instance's host name/],
      [`@bob@${"a.".repeat(130)}example`, /not an instance's host name/],
      ["mailto:bob@m.example", /user name/],
    ];
    for (const [v, why] of cases) {
      assert.throws(
        () => parseHandle(v),
        (e: unknown) => e instanceof HandleError && why.test(e.message),
        v,
      );
    }
  });
});

describe("webFingerUrl", () => {
  it("asks https, and plain http only for loopback when private networks are allowed", () => {
    const bob = parseHandle("@bob@m.example");
    assert.equal(
      webFingerUrl(bob, { allowPrivateNetworks: true }),
      "https://m.example/.well-known/webfinger?resource=acct%3Abob%40m.example",
    );
    const local = parseHandle("@bob@127.0.0.1:9");
    assert.ok(
      webFingerUrl(local, { allowPrivateNetworks: true }).startsWith("http://127.0.0.1:9/"),
    );
    assert.ok(
      webFingerUrl(local, { allowPrivateNetworks: false }).startsWith("https://127.0.0.1:9/"),
    );
  });
});

describe("subscribeTemplate", () => {
  it("finds the subscribe link's template among other links", () => {
    const body = jrd([
      { rel: "self", type: "application/activity+json", href: "https://m.example/users/bob" },
      "not a link",
      { rel: SUBSCRIBE_REL, href: "https://m.example/no-template" },
      sub("https://m.example/authorize_interaction?uri={uri}"),
    ]);
    assert.equal(
      subscribeTemplate(body, "m.example"),
      "https://m.example/authorize_interaction?uri={uri}",
    );
  });

  it("says when there is none, or the answer is no JRD", () => {
    throwsStep(
      () => subscribeTemplate(jrd([{ rel: "self", href: "x" }]), "m.example"),
      "no-template",
      /m\.example offers no remote-follow page/,
    );
    throwsStep(
      () => subscribeTemplate(JSON.stringify({ subject: "x" }), "m.example"),
      "no-template",
    );
    throwsStep(() => subscribeTemplate(jrd([sub(42)]), "m.example"), "no-template");
    throwsStep(
      () => subscribeTemplate("<html>hello</html>", "m.example"),
      "jrd",
      /not JSON: <html>hello/,
    );
    throwsStep(() => subscribeTemplate("[1,2]", "m.example"), "jrd", /not a JRD/);
    throwsStep(() => subscribeTemplate(JSON.stringify({ links: "x" }), "m.example"), "jrd");
  });
});

describe("fillTemplate", () => {
  it("puts the encoded actor URL in every {uri}", () => {
    assert.equal(
      fillTemplate("https://m.example/authorize_interaction?uri={uri}", ACTOR, "m.example"),
      "https://m.example/authorize_interaction?uri=https%3A%2F%2Ffed.example%2Fap%2Fusers%2Fann",
    );
    assert.equal(
      fillTemplate("http://m.example/f/{uri}/{uri}", "a b", "m.example"),
      "http://m.example/f/a%20b/a%20b",
    );
  });

  it("refuses a template without {uri}, not http(s), not a URL, or huge", () => {
    throwsStep(
      () => fillTemplate("https://m.example/follow", ACTOR, "m"),
      "bad-template",
      /no \{uri\}/,
    );
    throwsStep(
      () => fillTemplate("javascript:alert('{uri}')", ACTOR, "m"),
      "bad-template",
      /not an http\(s\)/,
    );
    throwsStep(
      () => fillTemplate("data:text/html,{uri}", ACTOR, "m"),
      "bad-template",
      /not an http\(s\)/,
    );
    throwsStep(() => fillTemplate("/relative?uri={uri}", ACTOR, "m"), "bad-template", /not a URL/);
    throwsStep(
      () => fillTemplate(`https://m.example/?uri={uri}&${"a".repeat(3000)}`, ACTOR, "m"),
      "bad-template",
    );
  });
});

describe("remoteFollowUrl over loopback", () => {
  let instance: LoopbackServer;
  let answer: { status: number; type: string; body: string } = { status: 200, type: "", body: "" };
  const http = new HttpClient({ allowPrivateNetworks: true });
  const guarded = new HttpClient({ allowPrivateNetworks: false });
  before(async () => {
    instance = await startLoopbackServer((_req, res) => {
      res.writeHead(answer.status, { "content-type": answer.type }).end(answer.body);
    });
  });
  after(async () => {
    await Promise.all([instance.close(), http.close(), guarded.close()]);
  });
  const bob = () => parseHandle(`@bob@127.0.0.1:${instance.port}`);
  const run = (client = http) =>
    remoteFollowUrl(client, bob(), ACTOR, { allowPrivateNetworks: true });
  const rejectsStep = async (step: RemoteFollowError["step"], pattern?: RegExp, client = http) => {
    await assert.rejects(run(client), (e: unknown) => {
      assert.ok(e instanceof RemoteFollowError, String(e));
      assert.equal(e.step, step, e.message);
      if (pattern) assert.match(e.message, pattern);
      return true;
    });
  };

  it("asks for acct:bob@host and fills the template", async () => {
    answer = {
      status: 200,
      type: "application/jrd+json",
      body: jrd([sub(`${instance.url("/ai")}?uri={uri}`)]),
    };
    assert.equal(await run(), `${instance.url("/ai")}?uri=${encodeURIComponent(ACTOR)}`);
    const req = instance.requests.at(-1);
    assert.equal(
      req?.url,
      `/.well-known/webfinger?resource=acct%3Abob%40127.0.0.1%3A${instance.port}`,
    );
    assert.match(req?.headers.accept ?? "", /application\/jrd\+json/);
  });

  it("refuses a huge JRD without reading it all", async () => {
    const pad = "x".repeat(MAX_JRD_BYTES);
    answer = {
      status: 200,
      type: "application/jrd+json",
      body: jrd([{ rel: "pad", href: pad }, sub("https://m.example/{uri}")]),
    };
    await rejectsStep(
      "webfinger",
      /more than the 65536 bytes allowed\. That is not a WebFinger answer/,
    );
  });

  it("names the status of a failed answer, and an unknown account", async () => {
    answer = { status: 404, type: "text/plain", body: "Not found" };
    await rejectsStep("unknown-account", /answered HTTP 404 \(no such account there\): Not found/);
    answer = { status: 500, type: "text/plain", body: "" };
    await rejectsStep("webfinger", /answered HTTP 500: no body/);
  });

  it("goes through the SSRF guard", async () => {
    answer = {
      status: 200,
      type: "application/jrd+json",
      body: jrd([sub("https://m.example/{uri}")]),
    };
    await assert.rejects(run(guarded), (e: unknown) => {
      assert.ok(e instanceof RemoteFollowError);
      assert.equal((e.cause as { code?: string }).code, "forbidden-address");
      return true;
    });
  });

  it("refuses hostile templates from a real answer", async () => {
    answer = { status: 200, type: "application/json", body: jrd([sub("javascript:alert({uri})")]) };
    await rejectsStep("bad-template", /not an http\(s\) address/);
    answer = {
      status: 200,
      type: "application/json",
      body: jrd([sub("https://m.example/follow")]),
    };
    await rejectsStep("bad-template", /no \{uri\}/);
    answer = { status: 200, type: "application/json", body: jrd([]) };
    await rejectsStep("no-template");
  });
});
