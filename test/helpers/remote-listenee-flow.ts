// The whole "the site follows a remote author" flow as the tests drive it: the remote
// service gets a request token, the author's browser logs in on the sidecar, accepts on
// the authorize page, lands on the remote's callback, and the remote takes its access token.
import assert from "node:assert/strict";
import { hashPassword } from "../../sidecar/auth/password.js";
import type { RemoteListenee } from "./remote-listenee.js";
import { type Browser, formAction, hiddenField, type Page } from "./remote-listenee-browser.js";

export const PASSWORD = "correct horse battery staple";

let cachedHash: Promise<string> | null = null;
/** The owner password's hash, made once per test process (scrypt is slow on purpose). */
export function passwordHash(): Promise<string> {
  cachedHash ??= hashPassword(PASSWORD);
  return cachedHash;
}

/** Logs the browser in through the login page; returns the page the login redirected to. */
export async function logIn(
  browser: Browser,
  loginUrl: string,
  password = PASSWORD,
): Promise<Page> {
  const form = await browser.get(loginUrl);
  assert.equal(form.status, 200, form.body);
  const csrf = hiddenField(form.body, "csrf");
  const next = hiddenField(form.body, "next");
  assert.ok(csrf, "the login form carries a CSRF token");
  const action = formAction(form.body, "/admin/login");
  assert.ok(action);
  return browser.post(action, { csrf, next: next ?? "", password });
}

/**
 * Opens the authorize URL (logging in when sent to the login page) and returns the
 * authorize page, asserted to be the page with the Accept/Reject form.
 */
export async function openAuthorizePage(browser: Browser, authorizeUrl: string): Promise<Page> {
  let page = await browser.get(authorizeUrl);
  if (page.status === 303 && page.location?.includes("/admin/login")) {
    const afterLogin = await logIn(browser, page.location);
    assert.equal(afterLogin.status, 303, afterLogin.body);
    assert.equal(afterLogin.location, authorizeUrl, "the login returns to the authorize page");
    page = await browser.get(authorizeUrl);
  }
  assert.equal(page.status, 200, page.body);
  return page;
}

/** Presses Accept or Reject on an authorize page; returns the sidecar's answer (a 303). */
export async function decide(
  browser: Browser,
  page: Page,
  decision: "accept" | "reject",
): Promise<Page> {
  const action = formAction(page.body, "/omb/userauthorization");
  assert.ok(action, "the authorize page has its form");
  return browser.post(action, {
    csrf: hiddenField(page.body, "csrf") ?? "",
    request: hiddenField(page.body, "request") ?? "",
    decision,
  });
}

/** Request token, browser approval, callback, access token: the listenee ends up followed. */
export async function follow(
  listenee: RemoteListenee,
  browser: Browser,
  siteUrl: string,
): Promise<{ accepted: Page; callback: URLSearchParams }> {
  if (!listenee.endpoints) await listenee.discover(siteUrl);
  const rt = await listenee.getRequestToken();
  assert.equal(rt.status, 200, rt.body);
  const page = await openAuthorizePage(browser, listenee.authorizeUrl());
  const accepted = await decide(browser, page, "accept");
  assert.equal(accepted.status, 303, accepted.body);
  const location = accepted.location ?? "";
  assert.ok(location.startsWith(listenee.callbackUrl), location);
  const before = listenee.callbacks.length;
  await browser.get(location);
  const callback = listenee.callbacks[before];
  assert.ok(callback, "the remote's callback page was reached");
  assert.equal(callback.get("oauth_token"), listenee.requestToken);
  const at = await listenee.getAccessToken();
  assert.equal(at.status, 200, at.body);
  return { accepted, callback };
}
