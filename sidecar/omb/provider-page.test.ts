import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeProfile } from "../../test/helpers/fixtures.js";
import type { AskerEvidence } from "./provider-evidence.js";
import { renderAuthorizePage } from "./provider-page.js";

const confirmed: AskerEvidence = {
  address: "203.0.113.5",
  identityHost: "famous.example",
  identityAddresses: ["203.0.113.5"],
  fromIdentityHost: true,
  discovery: {
    ok: true,
    namesIdentity: true,
    serviceHost: "famous.example",
    serviceAddresses: ["203.0.113.5"],
  },
  confirmed: true,
};

const base = {
  listenee: fakeProfile(7, "famous.example"),
  action: "https://me.example/omb/userauthorization",
  csrf: "c",
  request: "oauth_token=t",
  alreadyFollowing: false,
  callbackHost: "famous.example",
  evidence: confirmed,
};

test("no warning when the request came from the author's host and their page leads back", () => {
  const page = renderAuthorizePage(base);
  assert.doesNotMatch(page, /Careful/);
  assert.match(page, /came from 203\.0\.113\.5, an address of famous\.example/);
  assert.match(page, /What OpenMicroBlogging cannot prove/);
});

test("the callback and the consumer key cannot silence the warning: only the address counts", () => {
  // The requester wrote famous.example everywhere it could; it still asked from elsewhere.
  const page = renderAuthorizePage({
    ...base,
    evidence: {
      ...confirmed,
      address: "198.51.100.9",
      fromIdentityHost: false,
      confirmed: false,
    },
  });
  assert.match(
    page,
    /Careful: it could not be confirmed that this request comes from famous\.example/,
  );
  assert.match(page, /came from 198\.51\.100\.9, but famous\.example .* has 203\.0\.113\.5/);
  assert.match(page, /What OpenMicroBlogging cannot prove/);
});

test("a failed discovery is named, escaped, and warns", () => {
  const page = renderAuthorizePage({
    ...base,
    evidence: { ...confirmed, discovery: { ok: false, reason: "no <b>XRDS" }, confirmed: false },
  });
  assert.match(page, /Careful/);
  assert.match(page, /could not be checked: no &lt;b&gt;XRDS/);
});

test("a right-to-left or overriding name is isolated and loses its bidi controls", () => {
  const listenee = { ...base.listenee, fullname: "\u202Eevil\u202C name", bio: "مرحبا" };
  const page = renderAuthorizePage({ ...base, listenee });
  assert.match(page, /<strong><bdi>evil name<\/bdi><\/strong> \(<bdi>/);
  assert.match(page, /<h1>Follow <bdi>evil name<\/bdi>\?<\/h1>/);
  assert.match(page, /<td dir="auto">مرحبا<\/td>/);
  assert.doesNotMatch(page, /[\u202A-\u202E\u2066-\u2069]/);
});
