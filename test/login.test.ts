// The owner's login on the sidecar (issue 5 item 2): password against the scrypt hash from
// the environment, session cookie attributes, CSRF token on every form, rate limit, and
// remote text escaped on the authorize and status pages. Real sidecar processes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sessionCookieName } from "../sidecar/auth/session.js";
import { RemoteListenee } from "./helpers/remote-listenee.js";
import { Browser, formAction, hiddenField, type Page } from "./helpers/remote-listenee-browser.js";
import {
  decide,
  follow,
  logIn,
  openAuthorizePage,
  PASSWORD,
  passwordHash,
} from "./helpers/remote-listenee-flow.js";
import { startTarget, type Target } from "./helpers/remote-listenee-target.js";

let target: Target;
const remotes: RemoteListenee[] = [];

before(async () => {
  target = await startTarget({ passwordHash: await passwordHash(), hookSecret: "login-test" });
});

after(async () => {
  for (const r of remotes) await r.close();
  await target?.dispose();
});

async function loginForm(browser: Browser): Promise<{ page: Page; csrf: string; action: string }> {
  const page = await browser.get(`${target.url}admin/login`);
  assert.equal(page.status, 200);
  return {
    page,
    csrf: hiddenField(page.body, "csrf") ?? "",
    action: formAction(page.body, "/admin/login") ?? "",
  };
}

async function isOwner(browser: Browser): Promise<boolean> {
  return (await browser.get(`${target.url}admin`)).status === 200;
}

describe("login", () => {
  test("the status page sends a visitor to the login page", async () => {
    const page = await new Browser().get(`${target.url}admin`);
    assert.equal(page.status, 303);
    assert.equal(new URL(page.location ?? "").pathname, "/admin/login");
  });

  test("the session cookie is HttpOnly, SameSite=Lax, not Secure over plain http", async () => {
    const { page } = await loginForm(new Browser());
    const cookie = page.setCookies.find((c) => c.startsWith(`${sessionCookieName(target.url)}=`));
    assert.ok(cookie, "a session cookie is set with the form");
    assert.match(cookie, /; HttpOnly/i);
    assert.match(cookie, /; SameSite=Lax/i);
    assert.doesNotMatch(cookie, /; Secure/i);
  });

  test("a wrong password is refused and does not log in", async () => {
    const browser = new Browser();
    const { csrf, action } = await loginForm(browser);
    const res = await browser.post(action, { csrf, password: "wrong", next: "" });
    assert.equal(res.status, 401);
    assert.match(res.body, /Wrong password/);
    assert.equal(await isOwner(browser), false);
  });

  test("a missing or foreign CSRF token is refused even with the right password", async () => {
    const browser = new Browser();
    const { action } = await loginForm(browser);
    const missing = await browser.post(action, { password: PASSWORD, next: "" });
    assert.equal(missing.status, 403);
    const other = await loginForm(new Browser());
    const foreign = await browser.post(action, { csrf: other.csrf, password: PASSWORD, next: "" });
    assert.equal(foreign.status, 403);
    assert.equal(await isOwner(browser), false);
  });

  test("the right password logs in with a new session id; next may only be our own page", async () => {
    const browser = new Browser();
    const { csrf, action } = await loginForm(browser);
    const before = browser.cookies.get(sessionCookieName(target.url));
    const res = await browser.post(action, {
      csrf,
      password: PASSWORD,
      next: "http://evil.example/",
    });
    assert.equal(res.status, 303);
    assert.equal(
      res.location,
      `${target.url}admin`,
      "a foreign next is replaced by the status page",
    );
    assert.notEqual(
      browser.cookies.get(sessionCookieName(target.url)),
      before,
      "the id changes at login",
    );
    assert.equal(await isOwner(browser), true);
  });

  test("logout needs the CSRF token and ends the session", async () => {
    const browser = new Browser();
    await logIn(browser, `${target.url}admin/login`);
    const status = await browser.get(`${target.url}admin`);
    const action = formAction(status.body, "/admin/logout") ?? "";
    assert.equal((await browser.post(action, {})).status, 403);
    assert.equal(await isOwner(browser), true);
    const out = await browser.post(action, { csrf: hiddenField(status.body, "csrf") ?? "" });
    assert.equal(out.status, 303);
    assert.equal(await isOwner(browser), false);
  });
});

describe("CSRF on the owner's forms", () => {
  test("the authorize decision and the unfollow button need the page's token", async () => {
    const browser = new Browser();
    const bob = await RemoteListenee.start();
    remotes.push(bob);
    await bob.discover(target.url);
    await bob.getRequestToken();
    const page = await openAuthorizePage(browser, bob.authorizeUrl());
    const action = formAction(page.body, "/omb/userauthorization") ?? "";
    const request = hiddenField(page.body, "request") ?? "";
    const noToken = await browser.post(action, { request, decision: "accept" });
    assert.equal(noToken.status, 403);
    // Another logged-in browser's token does not fit this browser.
    const other = new Browser();
    const otherPage = await openAuthorizePage(other, bob.authorizeUrl());
    const foreign = await browser.post(action, {
      csrf: hiddenField(otherPage.body, "csrf") ?? "",
      request,
      decision: "accept",
    });
    assert.equal(foreign.status, 403);
    assert.equal((await bob.getAccessToken()).status, 401, "nothing was authorized");
    const accepted = await decide(browser, page, "accept");
    assert.equal(accepted.status, 303);
    assert.equal((await bob.getAccessToken()).status, 200);

    const unfollow = await browser.post(`${target.url}admin/following/remove`, {
      uri: bob.profile.uri,
    });
    assert.equal(unfollow.status, 403);
    assert.equal((await bob.postNotice(1)).status, 200, "still followed");
  });
});

describe("remote text is shown as text", () => {
  const XSS = "<script>alert(1)</script>";
  // URL fields must stay valid URLs (PEAR rules allow these characters in a query).
  const URL_XSS = '?x="><script>alert(1)<script>';

  test("on the authorize page and the status page, in every remote field", async () => {
    const mallory = await RemoteListenee.start({ nickname: "mallory" });
    remotes.push(mallory);
    const root = mallory.root;
    Object.assign(mallory.profile, {
      uri: `${root}user/1${URL_XSS}`,
      profile: `${root}mallory${URL_XSS}`,
      fullname: `Mallory ${XSS}`,
      bio: `Bio ${XSS}`,
      location: `Loc ${XSS}`,
      homepage: `${root}home${URL_XSS}`,
      avatar: `${root}a.png${URL_XSS}`,
      license: `http://creativecommons.org/licenses/by/3.0/${URL_XSS}`,
    });
    const browser = new Browser();
    await mallory.discover(target.url);
    await mallory.getRequestToken();
    const page = await openAuthorizePage(browser, mallory.authorizeUrl());
    assertEscaped(page.body, 8);

    const accepted = await decide(browser, page, "accept");
    assert.equal(accepted.status, 303);
    await browser.get(accepted.location ?? "");
    assert.equal((await mallory.getAccessToken()).status, 200);
    const notice = await mallory.postNotice(1, {
      omb_notice_content: `Hi ${XSS}`,
      omb_notice_url: `${root}notice/1${URL_XSS}`,
    });
    assert.equal(notice.status, 200, notice.body);
    const status = await browser.get(`${target.url}admin`);
    assert.equal(status.status, 200);
    assertEscaped(status.body, 9);
  });

  function assertEscaped(body: string, atLeast: number): void {
    assert.doesNotMatch(body, /<script/i, "no script element from remote text");
    assert.doesNotMatch(body, /href="javascript:/i);
    const shown = body.match(/&lt;script&gt;/g)?.length ?? 0;
    assert.ok(shown >= atLeast, `each field shows its text escaped (${shown} of ${atLeast})`);
  }
});

describe("without a configured password", () => {
  test("the login page says how to set FEDERATION_OWNER_PASSWORD_HASH", async () => {
    const bare = await startTarget();
    try {
      const browser = new Browser();
      const pages = await browser.follow(`${bare.url}admin`);
      const last = pages.at(-1);
      assert.equal(last?.status, 503);
      assert.match(last?.body ?? "", /FEDERATION_OWNER_PASSWORD_HASH/);
      assert.match(last?.body ?? "", /eleventy-federation hash-password/);
    } finally {
      await bare.dispose();
    }
  });
});

describe("behind an https proxy", () => {
  test("failed logins are limited per address; the cookie is Secure; peers sign the public URL", async () => {
    const limited = await startTarget({
      passwordHash: await passwordHash(),
      config: { publicUrl: "https://fed.example/", login: { maxAttempts: 3, windowMinutes: 5 } },
    });
    try {
      const browser = new Browser();
      const form = await browser.get(`${limited.url}admin/login`);
      const cookie = form.setCookies.find((c) => c.startsWith("federation_session=")) ?? "";
      assert.match(cookie, /; Secure/i);
      const csrf = hiddenField(form.body, "csrf") ?? "";
      const post = (password: string) =>
        browser.post(`${limited.url}admin/login`, { csrf, password, next: "" });
      for (let i = 0; i < 3; i++) assert.equal((await post("wrong")).status, 401);
      const blocked = await post(PASSWORD);
      assert.equal(blocked.status, 429);
      assert.match(blocked.body, /Too many login attempts/);

      // Behind a proxy, signatures are checked against the public URL, not the Host header.
      const r = await RemoteListenee.start();
      remotes.push(r);
      await r.discover(limited.url);
      const viaProxy = await r.getRequestToken({ signUrl: "https://fed.example/omb/requesttoken" });
      assert.equal(viaProxy.status, 200, viaProxy.body);
      const direct = await r.getRequestToken();
      assert.equal(direct.status, 401, "the address the sidecar listens on is not what peers sign");
    } finally {
      await limited.dispose();
    }
  });
});

// A real follow works with this target too (the rest of the flow is in provider-flow.test.ts).
test("a follow through the login works end to end", async () => {
  const r = await RemoteListenee.start({ nickname: "plain" });
  remotes.push(r);
  await follow(r, new Browser(), target.url);
  assert.equal((await r.postNotice(1)).status, 200);
});
