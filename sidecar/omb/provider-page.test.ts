import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeProfile } from "../../test/helpers/fixtures.js";
import { renderAuthorizePage } from "./provider-page.js";

const base = {
  listenee: fakeProfile(7, "famous.example"),
  action: "https://me.example/omb/userauthorization",
  csrf: "c",
  request: "oauth_token=t",
  alreadyFollowing: false,
  callbackHost: "famous.example",
};

test("no warning when the service asking is where the author's identity lives", () => {
  assert.doesNotMatch(renderAuthorizePage(base), /Careful/);
});

test("a warning, escaped, when another service claims the author", () => {
  const page = renderAuthorizePage({
    ...base,
    callbackHost: "evil<b>.example",
    identityHost: "famous.example",
  });
  assert.match(
    page,
    /Careful: this author's identity is on famous\.example, but the request comes from evil&lt;b&gt;\.example/,
  );
});
