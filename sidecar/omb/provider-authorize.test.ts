import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptedCallbackUrl, appendQuery } from "./provider-authorize.js";

const own = {
  uri: "http://site.example/",
  profile: "http://site.example/",
  nickname: "mira",
  license: "http://creativecommons.org/licenses/by/3.0/",
  fullname: "Mira O",
  homepage: "/relative",
  bio: "",
  location: "Lisboa & Porto",
  avatar: "http://site.example/avatar.png",
};

test("appendQuery uses ? or & by the callback's own query (OMB.md §3 step 3)", () => {
  assert.equal(appendQuery("http://r.example/finish", { a: "1" }), "http://r.example/finish?a=1");
  assert.equal(
    appendQuery("http://r.example/index.php?action=finish", { a: "1" }),
    "http://r.example/index.php?action=finish&a=1",
  );
  assert.equal(appendQuery("http://r.example/f?", { a: "b c" }), "http://r.example/f?a=b%20c");
  assert.equal(appendQuery("http://r.example/f?x=1&", { a: "1" }), "http://r.example/f?x=1&a=1");
});

test("the accepted callback carries the token, version, listener and only set, valid fields", () => {
  const url = new URL(acceptedCallbackUrl("http://r.example/finish", "t0k", own.uri, own));
  const p = url.searchParams;
  assert.equal(p.get("oauth_token"), "t0k");
  assert.equal(p.get("omb_version"), "http://openmicroblogging.org/protocol/0.1");
  assert.equal(p.get("omb_listener"), own.uri);
  assert.equal(p.get("omb_listener_nickname"), "mira");
  assert.equal(p.get("omb_listener_profile"), own.profile);
  assert.equal(p.get("omb_listener_license"), own.license);
  assert.equal(p.get("omb_listener_location"), "Lisboa & Porto");
  assert.equal(p.get("omb_listener_avatar"), own.avatar);
  assert.equal(p.has("omb_listener_bio"), false, "empty: left out");
  assert.equal(p.has("omb_listener_homepage"), false, "not a valid URL: left out");
  assert.doesNotMatch(url.search, /\+/, "RFC 3986 encoding, never +");
});
