/**
 * The subscribe form given a fediverse handle, against a real sidecar on loopback: WebFinger
 * at a loopback "instance", then 303 to its remote-follow page with our actor's URL, or a
 * page saying what failed and how to follow anyway.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { apUrl } from "../contract/activitypub-paths.js";
import { type LoopbackServer, startLoopbackServer } from "../sidecar/net/loopback.test-helper.js";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";

const SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe";

/** The instance's WebFinger answers, by user name; anyone else is unknown (404). */
const jrds: Record<string, unknown> = {};
let instance: LoopbackServer;
let sidecar: ApSidecar;
let apOff: ApSidecar;

before(async () => {
  instance = await startLoopbackServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const user = /^acct:([^@]+)@/.exec(url.searchParams.get("resource") ?? "")?.[1] ?? "";
    const jrd = url.pathname === "/.well-known/webfinger" ? jrds[user] : undefined;
    if (jrd === undefined) res.writeHead(404).end("no such account");
    else res.writeHead(200, { "content-type": "application/jrd+json" }).end(JSON.stringify(jrd));
  });
  const follow = instance.url("/authorize_interaction");
  jrds.bob = {
    subject: "acct:bob",
    links: [{ rel: SUBSCRIBE_REL, template: `${follow}?uri={uri}` }],
  };
  jrds.carol = { subject: "acct:carol", links: [{ rel: "self", href: instance.url("/carol") }] };
  jrds.dave = { links: [{ rel: SUBSCRIBE_REL, template: "javascript:alert('{uri}')" }] };
  [sidecar, apOff] = await Promise.all([startApSidecar(), startApSidecar({ enabled: false })]);
});
after(async () => {
  await Promise.all([instance?.close(), sidecar?.close(), apOff?.close()]);
});

async function post(on: ApSidecar, profileUrl: string, extra: Record<string, string> = {}) {
  const res = await fetch(new URL("omb/subscribe", on.url), {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: new URL(on.url).origin,
    },
    body: new URLSearchParams({ profile_url: profileUrl, nickname: "ann", ...extra }).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, location: res.headers.get("location"), body: await res.text() };
}

const stepOf = (body: string) => /Step that failed: ([^<]+)</.exec(body)?.[1];
const handleHost = () => new URL(sidecar.url).host;

function assertAdvice(body: string) {
  assert.ok(body.includes(`search for @ann@${handleHost()} and follow it`), body);
}

describe("the subscribe form given a handle", () => {
  it("a post's Reply, Like or Boost button (uri: the post's object id) goes to the instance's page for that post", async () => {
    const actor = apUrl(sidecar.config.publicUrl, "actor", { identifier: "ann" });
    const postId = apUrl(sidecar.config.publicUrl, "post", {
      id: "0123456789abcdef0123456789abcdef",
    });
    const form = instance.url("/authorize_interaction");
    const a = await post(sidecar, `@bob@127.0.0.1:${instance.port}`, { uri: postId });
    assert.equal(a.status, 303, a.body);
    assert.equal(a.location, `${form}?uri=${encodeURIComponent(postId)}`);
    // Anything but one of our post ids is ignored: the instance is handed our actor.
    for (const uri of [
      "https://evil.example/x",
      `${postId}/../../users/x`,
      "javascript:alert(1)",
    ]) {
      const b = await post(sidecar, `@bob@127.0.0.1:${instance.port}`, { uri });
      assert.equal(b.location, `${form}?uri=${encodeURIComponent(actor)}`, uri);
    }
  });

  it("sends @bob@instance to the instance's remote-follow page with our actor URL", async () => {
    const actor = apUrl(sidecar.config.publicUrl, "actor", { identifier: "ann" });
    for (const handle of [
      `@bob@127.0.0.1:${instance.port}`,
      `acct:bob@127.0.0.1:${instance.port}`,
    ]) {
      const a = await post(sidecar, handle);
      assert.equal(a.status, 303, a.body);
      assert.equal(
        a.location,
        `${instance.url("/authorize_interaction")}?uri=${encodeURIComponent(actor)}`,
      );
    }
    // the actor URL handed out is the one the sidecar serves
    const served = await fetch(actor, { headers: { accept: "application/activity+json" } });
    assert.equal(served.status, 200);
    assert.equal(((await served.json()) as { id: string }).id, actor);
  });

  it("shows a clear page when the instance has no remote-follow template", async () => {
    const a = await post(sidecar, `@carol@127.0.0.1:${instance.port}`);
    assert.equal(a.status, 502, a.body);
    assert.equal(stepOf(a.body), "no subscribe template");
    assert.match(a.body, /Your instance has no remote-follow page/);
    assert.match(a.body, /offers no remote-follow page/);
    assertAdvice(a.body);
  });

  it("refuses a javascript: template", async () => {
    const a = await post(sidecar, `@dave@127.0.0.1:${instance.port}`);
    assert.equal(a.status, 502, a.body);
    assert.equal(a.location, null);
    assert.equal(stepOf(a.body), "subscribe template");
    assertAdvice(a.body);
  });

  it("says when the instance does not know the account", async () => {
    const a = await post(sidecar, `@nobody@127.0.0.1:${instance.port}`);
    assert.equal(a.status, 400, a.body);
    assert.match(a.body, /answered HTTP 404 \(no such account there\)/);
    assertAdvice(a.body);
  });

  it("shows a clear page when the instance cannot be reached", async () => {
    const a = await post(sidecar, `@bob@127.0.0.1:${await closedPort()}`);
    assert.equal(a.status, 502, a.body);
    assert.equal(stepOf(a.body), "WebFinger");
    assert.match(a.body, /Your instance could not be asked where to follow from/);
    assertAdvice(a.body);
  });

  it("refuses what is not a handle, saying why", async () => {
    const a = await post(sidecar, "@bob@m.example:8443");
    assert.equal(a.status, 400, a.body);
    assert.equal(stepOf(a.body), "not a handle");
    assert.match(a.body, /takes no port/);
    assertAdvice(a.body);
  });

  it("says this site only takes OMB profile URLs when ActivityPub is off", async () => {
    const before = instance.requests.length;
    const a = await post(apOff, `@bob@127.0.0.1:${instance.port}`);
    assert.equal(a.status, 400, a.body);
    assert.match(a.body, /This site only takes OMB profile URLs/);
    assert.equal(instance.requests.length, before, "no WebFinger asked");
  });

  it("still takes a URL down the OMB path", async () => {
    const before = instance.requests.length;
    // a Mastodon-style profile URL carries an @, and is still a URL
    const a = await post(sidecar, instance.url("/@bob"));
    assert.equal(a.status, 502, a.body);
    assert.equal(stepOf(a.body), "no Yadis document");
    assert.equal(instance.requests.at(-1)?.url, "/@bob");
    assert.equal(instance.requests.length, before + 1);
    const notUrl = await post(sidecar, "not-a-url");
    assert.equal(stepOf(notUrl.body), "not a URL");
  });
});

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
