// Site as listener (OMB.md §3–4) over HTTP: tokens, approval, the inbox, unfollowing in the browser.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { signHook } from "../contract/hook-signature.js";
import { OMB_VERSION } from "./helpers/remote-listenee.js";
import { Browser, formAction, hiddenField } from "./helpers/remote-listenee-browser.js";
import { decide, follow, openAuthorizePage } from "./helpers/remote-listenee-flow.js";
import { OWN_PROFILE } from "./helpers/remote-listenee-target.js";
import {
  browser,
  buildHookCalls,
  type Export,
  eventually,
  exportFile,
  HOOK_SECRET,
  remote,
  setUpFlowTarget,
  target,
} from "./provider-flow-setup.js";

setUpFlowTarget();

describe("request token", () => {
  test("any consumer key gets a 32-hex token and secret; the reply is a form", async () => {
    const r = await remote("req");
    const endpoints = await r.discover(target.url);
    assert.equal(endpoints.localId, target.url);
    const answer = await r.getRequestToken();
    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.body, /^oauth_token=[0-9a-f]{32}&oauth_token_secret=[0-9a-f]{32}$/);
    const viaHeader = await r.getRequestToken({ via: "header" });
    assert.equal(viaHeader.status, 200, viaHeader.body);
  });

  test("a bad signature or a GET is refused", async () => {
    const r = await remote("reqbad");
    await r.discover(target.url);
    const bad = await r.getRequestToken({
      tamper: (p) => {
        p.omb_listener = "x";
      },
    });
    assert.equal(bad.status, 401);
    const get = await fetch(`${target.url}omb/requesttoken`);
    assert.equal(get.status, 405);
  });
});

describe("authorize and access token", () => {
  test("the authorize page needs the owner's login and comes back to the request", async () => {
    const r = await remote("needslogin");
    await r.discover(target.url);
    await r.getRequestToken();
    const url = r.authorizeUrl();
    const anonymous = await new Browser().get(url);
    assert.equal(anonymous.status, 303);
    const login = new URL(anonymous.location ?? "");
    assert.equal(login.pathname, "/admin/login");
    assert.equal(login.searchParams.get("next"), url);
  });

  test("bad authorize requests are refused with a page naming what is wrong", async () => {
    const r = await remote("badauth");
    await r.discover(target.url);
    await r.getRequestToken();
    const cases: [Record<string, string>, RegExp][] = [
      [{ oauth_token: "0".repeat(32) }, /request token/],
      [{ omb_version: "http://openmicroblogging.org/protocol/0.2" }, /omb_version/],
      [{ omb_listener: "http://elsewhere.example/" }, /omb_listener/],
      [{ omb_listenee_nickname: "" }, /omb_listenee_nickname/],
      [{ omb_listenee_profile: "tag:x" }, /omb_listenee_profile/],
      [{ oauth_callback: "javascript:alert(1)" }, /oauth_callback/],
      [{ omb_listenee_license: "http://creativecommons.org/licenses/by-nc-nd/3.0/" }, /license/],
      [{ omb_listenee: target.url }, /itself/],
    ];
    for (const [overrides, why] of cases) {
      const page = await browser.get(r.authorizeUrl(overrides));
      assert.equal(page.status, 400, JSON.stringify(overrides));
      assert.match(page.body, why);
    }
  });

  test("an access token is refused before the owner accepted", async () => {
    const r = await remote("early");
    await r.discover(target.url);
    await r.getRequestToken();
    const answer = await r.getAccessToken();
    assert.equal(answer.status, 401);
    assert.match(answer.body, /not authorized/);
  });

  test("accept: callback with the listener fields, then one access token for that consumer", async () => {
    const bob = await remote("bob");
    const { accepted, callback } = await follow(bob, browser, target.url);
    assert.ok(accepted.location?.startsWith(`${bob.callbackUrl}?oauth_token=`));
    assert.equal(callback.get("omb_version"), OMB_VERSION);
    assert.equal(callback.get("omb_listener"), target.url);
    assert.equal(callback.get("omb_listener_profile"), target.url);
    assert.equal(callback.get("omb_listener_nickname"), OWN_PROFILE.nickname);
    assert.equal(callback.get("omb_listener_license"), OWN_PROFILE.license);
    assert.equal(callback.get("omb_listener_fullname"), OWN_PROFILE.fullname);
    assert.equal(callback.get("omb_listener_bio"), OWN_PROFILE.bio);
    assert.equal(callback.get("omb_listener_location"), OWN_PROFILE.location);
    assert.equal(callback.has("omb_listener_avatar"), false, "empty fields are left out");
    assert.match(bob.accessToken, /^[0-9a-f]{32}$/);
    const again = await bob.getAccessToken();
    assert.equal(again.status, 401, "a request token is exchanged once");
    const posted = await bob.postNotice(1, { omb_notice_content: "first from bob" });
    assert.equal(posted.status, 200, posted.body);
  });

  test("a callback with a query gets the fields after '&'", async () => {
    const r = await remote("query");
    await r.discover(target.url);
    await r.getRequestToken();
    const page = await openAuthorizePage(
      browser,
      r.authorizeUrl({ oauth_callback: `${r.root}index.php?action=finishremotesubscribe` }),
    );
    const accepted = await decide(browser, page, "accept");
    assert.ok(
      accepted.location?.startsWith(`${r.root}index.php?action=finishremotesubscribe&oauth_token=`),
      accepted.location,
    );
  });

  test("the access token is only for the consumer that got the request token", async () => {
    const r = await remote("thief");
    await r.discover(target.url);
    await r.getRequestToken();
    await decide(browser, await openAuthorizePage(browser, r.authorizeUrl()), "accept");
    const stolen = await r.getAccessToken({ consumerKey: "http://thief.example/" });
    assert.equal(stolen.status, 401);
    const own = await r.getAccessToken();
    assert.equal(own.status, 200, own.body);
  });

  test("reject: the bare callback, and the request token is gone", async () => {
    const r = await remote("rejected");
    await r.discover(target.url);
    await r.getRequestToken();
    const page = await openAuthorizePage(browser, r.authorizeUrl());
    const rejected = await decide(browser, page, "reject");
    assert.equal(rejected.status, 303);
    assert.equal(rejected.location, r.callbackUrl);
    assert.equal((await r.getAccessToken()).status, 401);
    assert.equal((await browser.get(r.authorizeUrl())).status, 400);
  });
});

describe("the inbox for the build", () => {
  test("inbox.json beside the data file follows received notices (no tokens in it)", async () => {
    const carol = await remote("carol");
    await follow(carol, browser, target.url);
    assert.equal((await carol.postNotice("c1", { omb_notice_content: "carol one" })).status, 200);
    const file = await eventually(
      exportFile,
      (e) => !!e?.inbox.some((n) => n.content === "carol one"),
    );
    assert.equal(file?.version, 1);
    assert.ok(file?.following.some((f) => f.profile.nickname === "carol"));
    const text = await readFile(path.join(path.dirname(target.dataFile), "inbox.json"), "utf8");
    assert.equal(text.includes(carol.accessToken), false);
    assert.equal(text.includes(carol.accessSecret), false);
  });

  test("GET /admin/inbox.json needs the hook signature", async () => {
    const unsigned = await fetch(`${target.url}admin/inbox.json`);
    assert.equal(unsigned.status, 401);
    const wrong = await fetch(`${target.url}admin/inbox.json`, {
      headers: signHook("not the secret", "GET /admin/inbox.json"),
    });
    assert.equal(wrong.status, 401);
    const stale = await fetch(`${target.url}admin/inbox.json`, {
      headers: signHook(HOOK_SECRET, "GET /admin/inbox.json", Math.floor(Date.now() / 1000) - 600),
    });
    assert.equal(stale.status, 401);
    const signed = await fetch(`${target.url}admin/inbox.json?limit=1`, {
      headers: signHook(HOOK_SECRET, "GET /admin/inbox.json"),
    });
    assert.equal(signed.status, 200);
    const body = (await signed.json()) as Export;
    assert.equal(body.inbox.length, 1);
    assert.ok(body.following.length >= 2);
  });

  test("the build hook is called once for a burst of notices", async () => {
    const dan = await remote("dan");
    await follow(dan, browser, target.url);
    await eventually(
      async () => buildHookCalls,
      (n) => n > 0,
    );
    await new Promise((r) => setTimeout(r, 600));
    const start = buildHookCalls;
    for (let i = 0; i < 3; i++) assert.equal((await dan.postNotice(`burst${i}`)).status, 200);
    const calls = await eventually(
      async () => buildHookCalls,
      (n) => n > start,
    );
    assert.equal(calls, start + 1);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(buildHookCalls, start + 1, "one call for the burst");
  });
});

describe("unfollowing", () => {
  test("from the status page: the next push gets 403", async () => {
    const erin = await remote("erin");
    await follow(erin, browser, target.url);
    assert.equal((await erin.postNotice("e1")).status, 200);
    const status = await browser.get(`${target.url}admin`);
    assert.equal(status.status, 200);
    const form = status.body.indexOf(`name="uri" value="${erin.profile.uri}"`);
    assert.ok(form > 0, "erin has a Stop following button");
    const action = formAction(status.body, "/admin/following/remove");
    assert.ok(action);
    const csrf = hiddenField(status.body, "csrf") ?? "";
    const done = await browser.post(action, { csrf, uri: erin.profile.uri });
    assert.equal(done.status, 303);
    const refused = await erin.postNotice("e2");
    assert.equal(refused.status, 403);
    assert.equal(refused.body, `Revoked accesstoken for ${erin.profile.uri}`);
    const file = await eventually(
      exportFile,
      (e) => !e?.following.some((f) => f.uri === erin.profile.uri),
    );
    assert.equal(
      file?.following.some((f) => f.uri === erin.profile.uri),
      false,
    );
  });

  test("following again replaces the token: the old one is refused", async () => {
    const fay = await remote("fay");
    await follow(fay, browser, target.url);
    const old = { token: fay.accessToken, tokenSecret: fay.accessSecret };
    await follow(fay, browser, target.url);
    assert.notEqual(fay.accessToken, old.token);
    assert.equal((await fay.postNotice("f1", {}, old)).status, 403);
    assert.equal((await fay.postNotice("f2")).status, 200);
  });
});
