import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_LICENSE, OMB_VERSION } from "../../../protocol/omb/constants.js";
import { parseForm, verifySignature } from "../../../protocol/omb/oauth.js";
import type { OutboundEntry } from "../../store/types.js";
import { noticeParams, PreparedEntries, profileParams } from "./entry-params.js";

const notice = {
  uri: "https://site.example/posts/a/",
  url: "https://site.example/posts/a/",
  content: "Hello & ünïcödé + 100% <ok>",
  published: "2024-01-01T00:00:00Z",
  license: DEFAULT_LICENSE,
};

test("postNotice carries what StatusNet sent: version, listenee, notice, content, url, license", () => {
  assert.deepEqual(noticeParams("https://site.example/", notice), {
    omb_version: OMB_VERSION,
    omb_listenee: "https://site.example/",
    omb_notice: notice.uri,
    omb_notice_content: notice.content,
    omb_notice_url: notice.url,
    omb_notice_license: DEFAULT_LICENSE,
  });
  assert.equal(noticeParams("x", { ...notice, license: "" }).omb_notice_license, undefined);
});

test("updateProfile sends all nine fields, blanks as empty strings", () => {
  const p = profileParams({
    uri: "https://site.example/",
    profile: "https://site.example/",
    nickname: "ann",
    license: DEFAULT_LICENSE,
    fullname: "Ann",
    homepage: "",
    bio: "",
    location: "",
    avatar: "",
  });
  const fields = Object.keys(p).filter((k) => k.startsWith("omb_listenee"));
  assert.equal(fields.length, 9);
  assert.equal(p.omb_listenee_avatar, "");
  assert.equal(p.omb_listenee_bio, "");
  assert.equal(p.omb_listenee_license, DEFAULT_LICENSE);
  assert.equal(p.omb_version, OMB_VERSION);
});

test("a profile entry is pushed as the site URL's, whatever URI the manifest gave", () => {
  const prepared = new PreparedEntries("https://site.example/");
  const profile = {
    uri: "https://site.example",
    profile: "https://site.example/",
    nickname: "ann",
    license: DEFAULT_LICENSE,
    fullname: "",
    homepage: "",
    bio: "",
    location: "",
    avatar: "",
  };
  const entry: OutboundEntry = { seq: 1, kind: "profile", profile, addedAt: "" };
  const params = parseForm(prepared.get(entry).sign("POST", "http://a.example/u", "t", "s").body);
  assert.equal(params.omb_listenee, "https://site.example/");
});

test("one prepared request per entry, reused across destinations, each signature valid", () => {
  const prepared = new PreparedEntries("https://site.example/");
  const entry: OutboundEntry = { seq: 7, kind: "notice", notice, addedAt: "" };
  assert.equal(prepared.get(entry), prepared.get(entry));
  for (const url of ["http://a.example/postnotice", "http://b.example:8080/omb/postnotice"]) {
    const { body } = prepared.get(entry).sign("POST", url, "tok", "sec");
    const params = parseForm(body);
    assert.equal(params.omb_notice_content, notice.content);
    assert.equal(params.omb_listenee, "https://site.example/");
    assert.equal(params.oauth_consumer_key, "https://site.example/");
    assert.ok(verifySignature("POST", url, params, "", "sec"));
    assert.equal(verifySignature("POST", url, params, "", "other"), false);
  }
});
