import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeForm, parseForm, signRequest } from "../../protocol/omb/oauth.js";
import { type ReferenceListener, startReferenceListener } from "./spawn.js";

/**
 * The reference listener as a process, driven by hand with the product's signer (a cross
 * check: two OAuth implementations must agree for anything here to pass).
 */

const OMB = "http://openmicroblogging.org/protocol/0.1";
const CONSUMER = "http://consumer.example/";
const CALLBACK = "http://consumer.example/omb/finishsubscribe";

let L: ReferenceListener;
before(async () => {
  L = await startReferenceListener({ users: ["alice", "bob"] });
});
after(async () => {
  await L?.stop();
});

async function post(
  path: string,
  params: Record<string, string>,
  tokenSecret = "",
  token?: string,
) {
  const url = L.url + path;
  const signed = signRequest("POST", url, params, { consumerKey: CONSUMER, token, tokenSecret });
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: encodeForm(signed),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
}

const LISTENEE = {
  omb_listenee: "http://consumer.example/",
  omb_listenee_profile: "http://consumer.example/",
  omb_listenee_nickname: "site",
  omb_listenee_license: "http://creativecommons.org/licenses/by/3.0/",
};

/** request token → authorize → access token for user `id`; returns the access token. */
async function subscribe(id: number) {
  const rt = await post("/requesttoken", { omb_listener: L.userUri(id), omb_version: OMB });
  assert.equal(rt.status, 200);
  const req = parseForm(rt.body);
  const authUrl = `${L.url}/userauthorization`;
  const q = signRequest(
    "GET",
    authUrl,
    { oauth_callback: CALLBACK, omb_listener: L.userUri(id), omb_version: OMB, ...LISTENEE },
    { consumerKey: CONSUMER, token: req.oauth_token, tokenSecret: req.oauth_token_secret },
  );
  const auth = await fetch(`${authUrl}?${encodeForm(q)}`, { redirect: "manual" });
  const location = auth.headers.get("location") ?? "";
  const at = await post(
    "/accesstoken",
    { omb_version: OMB },
    req.oauth_token_secret,
    req.oauth_token,
  );
  return { auth, location, request: req, access: parseForm(at.body), accessBody: at.body };
}

function notice(n: number) {
  return {
    omb_version: OMB,
    omb_listenee: LISTENEE.omb_listenee,
    omb_notice: `http://consumer.example/n/${n}`,
    omb_notice_content: `notice ${n}`,
  };
}

describe("reference listener process", () => {
  it("serves the profile page and XRDS like the captures", async () => {
    const res = await fetch(L.profileUrl("alice"));
    assert.equal(res.headers.get("x-xrds-location"), `${L.url}/alice/xrds`);
    assert.match(
      await res.text(),
      /<meta http-equiv="X-XRDS-Location" content="[^"]+\/alice\/xrds"/,
    );
    const xrds = await fetch(`${L.url}/alice/xrds`);
    assert.equal(xrds.headers.get("content-type"), "application/xrds+xml");
    const doc = await xrds.text();
    assert.ok(doc.includes(`<LocalID>${L.userUri(1)}</LocalID>`));
    assert.ok(doc.indexOf("endpoint/request</Type>") < doc.indexOf("/requesttoken</URI>"));
    const id = await fetch(L.userUri(2), { redirect: "manual" });
    assert.equal(id.status, 301);
    assert.equal(id.headers.get("location"), L.profileUrl("bob"));
  });

  it("runs the whole provider flow, then accepts a notice and a profile update", async () => {
    const s = await subscribe(1);
    assert.equal(s.auth.status, 303);
    assert.ok(
      s.location.startsWith(`${CALLBACK}?omb_listener=${encodeURIComponent(L.userUri(1))}&`),
    );
    assert.ok(s.location.includes("&omb_listener_fullname=Alice%20Example&"));
    assert.ok(s.location.endsWith(`&omb_version=${encodeURIComponent(OMB)}&`));
    assert.match(s.access.oauth_token ?? "", /^[0-9a-f]{32}$/);
    const ok = await post(
      "/postnotice",
      notice(1),
      s.access.oauth_token_secret,
      s.access.oauth_token,
    );
    assert.deepEqual(ok, {
      status: 200,
      body: `omb_version=${OMB}`,
      type: "text/plain;charset=UTF-8",
    });
    const up = await post(
      "/updateprofile",
      { omb_version: OMB, ...LISTENEE, omb_listenee_bio: "" },
      s.access.oauth_token_secret,
      s.access.oauth_token,
    );
    assert.equal(up.status, 200);
    const seen = await L.seen();
    assert.ok(
      seen.requests.filter((r) => r.signatureValid !== null).every((r) => r.signatureValid),
    );
    assert.equal(seen.notices.at(-1)?.params.omb_notice_content, "notice 1");
    assert.deepEqual(seen.notices.at(-1)?.listener, [L.userUri(1)]);
    assert.equal(seen.profiles.at(-1)?.params.omb_listenee_bio, "");
    const authorizeSeen = seen.requests.find((r) => r.path === "/userauthorization");
    assert.equal(authorizeSeen?.params.oauth_callback, CALLBACK);
  });

  it("refuses bad signatures, replayed nonces, stale timestamps and foreign tokens with 403", async () => {
    const s = await subscribe(2);
    const url = `${L.url}/postnotice`;
    const creds = {
      consumerKey: CONSUMER,
      token: s.access.oauth_token,
      tokenSecret: s.access.oauth_token_secret,
    };
    const send = (params: Record<string, string>) =>
      fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: encodeForm(params),
      }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const good = signRequest("POST", url, notice(2), creds);
    assert.equal((await send(good)).status, 200);
    const replay = await send(good);
    assert.equal(replay.status, 403);
    assert.match(replay.body, /Revoked accesstoken for http:\/\/consumer\.example\//);
    const bad = signRequest("POST", url, notice(3), { ...creds, tokenSecret: "wrong" });
    assert.equal((await send(bad)).status, 403);
    const stale = signRequest("POST", url, notice(4), creds, {
      timestamp: Math.floor(Date.now() / 1000) - 400,
    });
    assert.equal((await send(stale)).status, 403);
    const other = signRequest("POST", url, notice(5), {
      ...creds,
      consumerKey: "http://other.example/",
    });
    assert.equal((await send(other)).status, 403);
  });

  it("answers an empty body for an access token that was never authorized", async () => {
    const rt = parseForm(
      (await post("/requesttoken", { omb_listener: L.userUri(1), omb_version: OMB })).body,
    );
    const at = await post(
      "/accesstoken",
      { omb_version: OMB },
      rt.oauth_token_secret,
      rt.oauth_token,
    );
    assert.deepEqual([at.status, at.body], [200, ""]);
  });

  it("rejects to the bare callback in reject mode", async () => {
    await L.control({ authorize: "reject" });
    try {
      const s = await subscribe(1);
      assert.equal(s.location, CALLBACK);
      assert.equal(s.accessBody, "");
    } finally {
      await L.control({ authorize: "approve" });
    }
  });

  it("misbehaves on postNotice as told, for a bounded number of times", async () => {
    const s = await subscribe(1);
    const send = () =>
      post("/postnotice", notice(Math.random()), s.access.oauth_token_secret, s.access.oauth_token);
    await L.control({ postNotice: "500", pushTimes: 1 });
    assert.equal((await send()).status, 500);
    assert.equal((await send()).status, 200, "back to ok after pushTimes");
    await L.control({ postNotice: "wrong-body" });
    assert.deepEqual([(await send()).status, (await send()).body], [200, "ok"]);
    await L.control({ postNotice: "reset" });
    await assert.rejects(send());
    await L.control({ postNotice: "hang" });
    await assert.rejects(
      fetch(`${L.url}/postnotice`, { method: "POST", body: "", signal: AbortSignal.timeout(300) }),
    );
    await L.control({ postNotice: "ok" });
    await assert.rejects(L.control({ postNotice: "ok", nonsense: 1 } as never));
  });

  it("unsubscribing revokes the token: the next push gets 403", async () => {
    const s = await subscribe(2);
    const res = await L.control({ unsubscribe: LISTENEE.omb_listenee });
    assert.ok((res.unsubscribed ?? 0) >= 1);
    const pushed = await post(
      "/postnotice",
      notice(9),
      s.access.oauth_token_secret,
      s.access.oauth_token,
    );
    assert.equal(pushed.status, 403);
  });
});
