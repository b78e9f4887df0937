import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { subscribersOf } from "./helpers/fixtures.js";
import { readStore as inStore } from "./helpers/read-store.js";
import { cli } from "./helpers/serve-process.js";
import { Browser } from "./reference-listener/browser.js";
import {
  SITE_PROFILE,
  SITE_URL,
  type SidecarProcess,
  siteBrowser,
  startSidecarProcess,
} from "./reference-listener/sidecar-process.js";
import {
  type ReferenceListener,
  type Seen,
  startReferenceListener,
} from "./reference-listener/spawn.js";

/**
 * The whole remote-subscribe flow between real processes on loopback: the sidecar (as the
 * site's OAuth consumer), the reference listener (an independent OMB provider) and this test
 * as the visitor's browser. http://site.example/ is the site's public URL; the browser sends
 * it to the sidecar's real address, as a reverse proxy would.
 */

const OMB = "http://openmicroblogging.org/protocol/0.1";
const FINISH = `${SITE_URL}omb/finishsubscribe`;

let sidecar: SidecarProcess;
let listener: ReferenceListener;

before(async () => {
  [sidecar, listener] = await Promise.all([
    startSidecarProcess(),
    startReferenceListener({ users: ["alice", "bob"] }),
  ]);
});
after(async () => {
  await Promise.all([sidecar?.stop(), listener?.stop()]);
});

const browser = () => siteBrowser(sidecar);

/** The visitor's walk: form → their service's authorize → back to our callback. */
async function subscribe(b: Browser, nickname: string) {
  const start = await b.postForm(`${SITE_URL}omb/subscribe`, {
    profile_url: listener.profileUrl(nickname),
    nickname: "site",
  });
  assert.equal(start.status, 303, `${start.body}\n${sidecar.stderr().slice(-3000)}`);
  const authorize = await b.follow(start);
  const finish = authorize.status === 303 ? await b.follow(authorize) : undefined;
  return { start, authorize, finish };
}

const readStore = () => inStore(sidecar.dataFile, subscribersOf);

describe("remote subscribe against the reference listener", () => {
  it("subscribes alice through the whole flow", async () => {
    const b = browser();
    const { start, authorize, finish } = await subscribe(b, "alice");
    // 1. our answer to the form: a signed authorize URL at the listener, and a flow cookie
    assert.ok(start.location?.startsWith(`${listener.url}/userauthorization?`));
    const cookie = start.setCookies.find((c) => c.startsWith("omb_subscribe="));
    assert.ok(cookie, "flow cookie set");
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\/omb\/finishsubscribe/);
    assert.doesNotMatch(cookie, /Secure/i, "plain http public URL: no Secure flag");
    // 2. the listener approves and sends the browser back, libomb-style
    assert.equal(authorize.status, 303);
    assert.ok(authorize.location?.startsWith(`${FINISH}?omb_listener=`));
    assert.ok(authorize.location?.endsWith("&"));
    // 3. our success page
    assert.equal(finish?.status, 200, finish?.body);
    assert.match(finish?.body ?? "", /You are subscribed/);
    assert.ok(finish?.body.includes(`href="${SITE_URL}"`));
    assert.ok(finish?.body.includes(`href="${listener.profileUrl("alice")}"`));
    assert.ok(
      finish?.setCookies.some((c) => /^omb_subscribe=;/.test(c)),
      "cookie cleared",
    );
  });

  it("sent the listener exactly what libomb would, correctly signed", async () => {
    const seen: Seen = await listener.seen();
    const byPath = (p: string) => seen.requests.filter((r) => r.path === p);
    const [rt] = byPath("/requesttoken");
    const [auth] = byPath("/userauthorization");
    const [at] = byPath("/accesstoken");
    assert.ok(rt && auth && at);
    for (const r of [rt, auth, at]) {
      assert.equal(r.signatureValid, true, `${r.path} signature`);
      assert.equal(r.params.oauth_consumer_key, SITE_URL);
      assert.equal(r.params.oauth_signature_method, "HMAC-SHA1");
      assert.equal(r.params.oauth_version, "1.0");
      assert.equal(r.params.omb_version, OMB);
    }
    assert.equal(rt.method, "POST");
    assert.deepEqual(Object.keys(rt.params).sort(), [
      "oauth_consumer_key",
      "oauth_nonce",
      "oauth_signature",
      "oauth_signature_method",
      "oauth_timestamp",
      "oauth_version",
      "omb_listener",
      "omb_version",
    ]);
    assert.equal(rt.params.omb_listener, listener.userUri(1));
    assert.equal(auth.method, "GET");
    const issued = seen.tokens.find(
      (t) => t.type === "request" && t.listener === listener.userUri(1),
    );
    assert.equal(auth.params.oauth_token, issued?.token);
    assert.equal(auth.params.oauth_callback, FINISH);
    assert.equal(auth.params.omb_listener, listener.userUri(1));
    assert.equal(auth.params.omb_listenee, SITE_URL);
    for (const f of [
      "profile",
      "nickname",
      "fullname",
      "bio",
      "location",
      "homepage",
      "avatar",
      "license",
    ] as const)
      assert.equal(auth.params[`omb_listenee_${f}`], SITE_PROFILE[f], f);
    assert.equal(at.method, "POST");
    assert.equal(at.params.oauth_token, issued?.token);
    assert.equal(at.status, 200);
  });

  it("stored alice as a subscriber with the access token the listener issued", async () => {
    const [alice] = await readStore();
    const seen = await listener.seen();
    const access = seen.tokens.find(
      (t) => t.type === "access" && t.listener === listener.userUri(1),
    );
    assert.ok(alice && access);
    assert.equal(alice.uri, listener.userUri(1));
    assert.equal(alice.postNoticeUrl, `${listener.url}/postnotice`);
    assert.equal(alice.updateProfileUrl, `${listener.url}/updateprofile`);
    assert.equal(alice.token, access.token);
    assert.equal(alice.secret, access.secret);
    assert.deepEqual(alice.profile, {
      uri: listener.userUri(1),
      profile: listener.profileUrl("alice"),
      nickname: "alice",
      license: "http://creativecommons.org/licenses/by/3.0/",
      fullname: "Alice Example",
      homepage: "",
      bio: "",
      location: "",
      avatar: "",
    });
  });

  it("lists the subscriber through the CLI (no token in the output)", async () => {
    const { stdout } = await cli(sidecar.configFile, ["subscribers", "--json"]);
    const listed = JSON.parse(stdout) as { uri: string; profile: { nickname: string } }[];
    assert.deepEqual(
      listed.map((s) => [s.uri, s.profile.nickname]),
      [[listener.userUri(1), "alice"]],
    );
    assert.ok(!stdout.includes((await readStore())[0]?.token ?? "?"));
  });

  it("a second user of the same service shares its postNotice URL; all profile fields kept", async () => {
    const { finish } = await subscribe(browser(), "bob");
    assert.equal(finish?.status, 200, finish?.body);
    const bob = (await readStore()).find((s) => s.uri === listener.userUri(2));
    assert.equal(bob?.postNoticeUrl, `${listener.url}/postnotice`);
    assert.equal(bob?.profile.bio, "I am bob, a reference listener.");
    assert.equal(bob?.profile.location, "Loopback");
    assert.equal(bob?.profile.homepage, `${listener.url}/bob/home`);
  });

  it("subscribing again replaces the token", async () => {
    const before = (await readStore()).find((s) => s.uri === listener.userUri(1));
    const { finish } = await subscribe(browser(), "alice");
    assert.equal(finish?.status, 200, finish?.body);
    const subs = await readStore();
    const after = subs.filter((s) => s.uri === listener.userUri(1));
    assert.equal(after.length, 1);
    assert.notEqual(after[0]?.token, before?.token);
    const seen = await listener.seen();
    const active = seen.tokens.filter(
      (t) => t.type === "access" && t.listener === listener.userUri(1) && t.state === "active",
    );
    assert.deepEqual(
      active.map((t) => t.token),
      [after[0]?.token],
    );
  });

  it("tolerates a callback without omb_listener: the LocalID from discovery is used", async () => {
    await listener.control({ authorize: "approve-without-listener" });
    try {
      const { authorize, finish } = await subscribe(browser(), "alice");
      assert.ok(!authorize.location?.includes("omb_listener="));
      assert.equal(finish?.status, 200, finish?.body);
      assert.ok((await readStore()).some((s) => s.uri === listener.userUri(1)));
    } finally {
      await listener.control({ authorize: "approve" });
    }
  });

  it("a refusal at the remote service ends in a page that says so", async () => {
    await listener.control({ authorize: "reject" });
    try {
      const before = await readStore();
      const { authorize, finish } = await subscribe(browser(), "bob");
      assert.equal(authorize.location, FINISH);
      assert.equal(finish?.status, 403);
      assert.match(finish?.body ?? "", /Subscription declined by 127\.0\.0\.1:\d+/);
      assert.match(finish?.body ?? "", /Step that failed: declined/);
      assert.deepEqual(await readStore(), before);
    } finally {
      await listener.control({ authorize: "approve" });
    }
  });

  it("a replayed callback is refused (the flow is finished)", async () => {
    const b = browser();
    const { start, authorize, finish } = await subscribe(b, "alice");
    assert.equal(finish?.status, 200);
    // the cookie was cleared; put the old one back to replay exactly
    const cookie = start.setCookies[0]?.split(";")[0] ?? "";
    b.cookies.set("site.example", new Map([cookie.split("=") as [string, string]]));
    const replay = await b.follow(authorize);
    assert.equal(replay.status, 403);
    assert.match(replay.body, /Step that failed: callback mismatch/);
  });
});

describe("remote subscribe behind an https public URL", () => {
  let https: SidecarProcess;
  before(async () => {
    https = await startSidecarProcess({ config: { publicUrl: "https://omb.site.example/" } });
  });
  after(async () => {
    await https?.stop();
  });

  it("sends the https callback and marks the flow cookie Secure", async () => {
    const b = new Browser({ "https://omb.site.example": https.url.slice(0, -1) });
    const start = await b.postForm("https://omb.site.example/omb/subscribe", {
      profile_url: listener.profileUrl("alice"),
    });
    assert.equal(start.status, 303, start.body);
    const query = new URL(start.location ?? "").searchParams;
    assert.equal(query.get("oauth_callback"), "https://omb.site.example/omb/finishsubscribe");
    assert.equal(query.get("oauth_consumer_key"), SITE_URL, "consumer key stays the site URL");
    assert.match(start.setCookies.join("\n"), /omb_subscribe=.*; Secure/i);
  });
});
