import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptedCallbackUrl } from "./provider-authorize.js";

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

test("the accepted callback keeps a fragment after the parameters", () => {
  const url = acceptedCallbackUrl("http://r.example/finish#done", "t0k", own.uri, own);
  assert.match(url, /^http:\/\/r\.example\/finish\?oauth_token=t0k&.*#done$/);
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
