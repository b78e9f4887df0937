/** The log format chosen by default, the demo watcher's words for an inbox change, the visitor's URL. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inboxChange } from "../../scripts/demo-watch.js";
import { readyInfo, visitorUrl } from "../../sidecar/cli/ready-line.js";
import { resolveLogFormat } from "../../sidecar/log.js";

test("auto log format: pretty on a terminal, JSON elsewhere; an explicit one wins", () => {
  assert.equal(resolveLogFormat(undefined, true), "pretty");
  assert.equal(resolveLogFormat("auto", false), "json");
  assert.equal(resolveLogFormat("json", true), "json");
  assert.equal(resolveLogFormat("pretty", false), "pretty");
  assert.throws(() => resolveLogFormat("xml", true), /pretty, json or auto/);
});

test("the ready line names localhost, not the loopback address", () => {
  assert.equal(visitorUrl("http://127.0.0.1:8080/"), "http://localhost:8080/");
  assert.equal(visitorUrl("http://[::1]:8081/"), "http://localhost:8081/");
  assert.equal(visitorUrl("http://192.0.2.7:8080/"), "http://192.0.2.7:8080/");
  const secrets = { ownerPasswordHash: "scrypt$x" };
  const local = { siteUrl: "http://localhost:8080/", publicUrl: "http://localhost:8080/", secrets };
  assert.deepEqual(readyInfo(local, "http://127.0.0.1:9090/", true), {
    open: "http://localhost:9090/",
    statusPage: "http://localhost:9090/admin",
    login: "log in with the owner password (FEDERATION_OWNER_PASSWORD_HASH is set)",
    listening: "http://127.0.0.1:9090/",
  });
  const pub = { siteUrl: "https://a.example/", publicUrl: "https://fed.a.example/", secrets: {} };
  const r = readyInfo(pub, "http://127.0.0.1:8080/", false);
  assert.equal(r.open, "https://a.example/");
  assert.equal(r.statusPage, "https://fed.a.example/admin");
  assert.match(r.login, /not set up: run `npm run --silent hash-password`/);
});

test("the demo says what changed in an inbox: a follow, an unfollow, notices", () => {
  assert.equal(
    inboxChange({ following: 0, notices: 0 }, { following: 1, notices: 0 }),
    "now following one more account",
  );
  assert.equal(
    inboxChange({ following: 1, notices: 2 }, { following: 1, notices: 3 }),
    "1 new notice(s) arrived",
  );
  assert.equal(
    inboxChange({ following: 1, notices: 3 }, { following: 0, notices: 3 }),
    "stopped following an account",
  );
  assert.equal(inboxChange({ following: 1, notices: 3 }, { following: 1, notices: 3 }), "");
});
