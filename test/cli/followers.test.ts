/** `followers`: by protocol and instance with delivery state, as text and JSON, filtered by protocol. */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { Follow } from "@fedify/vocab";
import type { FollowReplies } from "../../sidecar/activitypub/follow-replies.js";
import { FollowRequests } from "../../sidecar/activitypub/follow-requests.js";
import { apFollower, seedInstances } from "../../sidecar/admin/instances.test-helper.js";
import type { Context } from "../../sidecar/context.js";
import { openStore } from "../../sidecar/store/open.js";
import { cli } from "../helpers/serve-process.js";

let dir = "";
let config = "";

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cli-followers-"));
  config = path.join(dir, "federation.json");
  await writeFile(
    config,
    JSON.stringify({
      siteUrl: "https://site.example/",
      publicUrl: "https://site.example/",
      host: "127.0.0.1",
      port: 9,
      dataFile: "store.json",
      fsync: false,
      logLevel: "warn",
    }),
  );
  const store = await openStore(path.join(dir, "store.json"), { fsync: false });
  try {
    await seedInstances(store);
    const asker = apFollower("eve", "ask.example");
    const follow = new Follow({
      id: new URL(asker.credentials.followId),
      actor: new URL(asker.id),
      object: new URL("https://site.example/actor"),
    });
    await new FollowRequests({ store } as Context, {} as FollowReplies).hold(asker, follow);
  } finally {
    await store.close();
  }
});
after(() => rm(dir, { recursive: true, force: true }));

/** The text's lines from `first` up to the next blank line. */
function block(out: string, first: string): string[] {
  const lines = out.split("\n");
  const at = lines.findIndex((l) => l.startsWith(first));
  assert.ok(at >= 0, `${first} in\n${out}`);
  const end = lines.indexOf("", at);
  return lines.slice(at, end < 0 ? undefined : end);
}

test("followers: each protocol's instances, failing first, with delivery state and last error", async () => {
  const { stdout } = await cli(config, ["followers"]);
  const omb = block(stdout, "OpenMicroBlogging: 4 followers on 3 instances");
  assert.match(omb[1] ?? "", /^INSTANCE\s+FOLLOWERS\s+DESTINATION\s+DELIVERY\s+LAST ERROR$/);
  assert.deepEqual(
    omb.slice(2).map((l) => l.split(/\s+/).slice(0, 2)),
    [
      ["b.example", "1"],
      ["gone.example", "1"],
      ["a.example", "2"],
    ],
  );
  assert.match(
    omb[2] ?? "",
    /retrying since \S+ \S+: 3 failed attempts, next attempt .*; behind by 2 entries\s+HTTP 500: <h1>oops<\/h1> <script>/,
  );
  assert.ok((omb[2] ?? "").length < 700, "the error is cut");
  assert.match(omb[3] ?? "", /given up at .*connect ECONNREFUSED$/);
  assert.match(
    omb[4] ?? "",
    /caught up\s+permanent failure at \S+ \S+: refused: <b>bad notice<\/b>$/,
  );
  const ap = block(stdout, "ActivityPub: 4 followers on 2 instances");
  assert.match(
    ap[2] ?? "",
    /^masto\.example\s+2\s+https:\/\/masto\.example\/inbox\s+behind by 2 entries\s*$/,
  );
  assert.match(
    ap[3] ?? "",
    /^pleroma\.example\s+2\s+https:\/\/pleroma\.example\/users\/\w+\/inbox/,
  );
  assert.match(ap[4] ?? "", /^\s+https:\/\/pleroma\.example\/users\/\w+\/inbox\s+behind by 3/);
  const list = block(stdout, "Followers:");
  assert.equal(list.length, 2 + 8, "a header and every follower");
  assert.match(list[2] ?? "", /^omb\s+b\.example\s+http:\/\/b\.example\/user\/3\s+u3\s+2024-01-03/);
  assert.match(
    stdout,
    /1 follow request waiting for your approval: `eleventy-federation followers requests`/,
  );
  assert.doesNotMatch(stdout, /token-|secret-/);
});

test("followers --json: the same structure, every follower, no credentials", async () => {
  const json = JSON.parse((await cli(config, ["followers", "--json"])).stdout);
  assert.equal(json.count, 8);
  assert.equal(json.followRequests, 1);
  assert.deepEqual(
    json.protocols.map((p: { protocol: string; instances: { host: string }[] }) => [
      p.protocol,
      p.instances.map((g) => g.host),
    ]),
    [
      ["omb", ["b.example", "gone.example", "a.example"]],
      ["activitypub", ["masto.example", "pleroma.example"]],
    ],
  );
  const b = json.protocols[0].instances[0];
  assert.deepEqual([b.failing, b.state, b.behind, b.count], [true, "retrying", 2, 1]);
  assert.match(b.lastError, /^HTTP 500: <h1>oops<\/h1>/);
  assert.ok(b.lastError.length <= 301);
  assert.equal(b.destinations[0].attempts, 3);
  assert.ok(b.destinations[0].retryAt && b.destinations[0].failingSince);
  const gone = json.protocols[0].instances[1];
  assert.ok(gone.destinations[0].gaveUpAt);
  assert.match(gone.lastFailure.error, /^gave up after 9 attempts/);
  assert.deepEqual(
    json.protocols[1].instances[0].followers.map((f: { id: string; name: string }) => [
      f.id,
      f.name,
    ]),
    [
      ["https://masto.example/users/zoe", "zoe@masto.example"],
      ["https://masto.example/users/max", "max@masto.example"],
    ],
  );
  assert.doesNotMatch(JSON.stringify(json), /token-|secret-|followId|credentials/);
});

test("followers --protocol filters; an unknown protocol is refused; requests still lists", async () => {
  const ap = JSON.parse(
    (await cli(config, ["followers", "--protocol", "activitypub", "--json"])).stdout,
  );
  assert.deepEqual(
    [ap.count, ap.protocols.map((p: { protocol: string }) => p.protocol), ap.followRequests],
    [4, ["activitypub"], 1],
  );
  const omb = (await cli(config, ["followers", "--protocol", "omb"])).stdout;
  assert.match(omb, /^OpenMicroBlogging: 4 followers/);
  assert.doesNotMatch(omb, /ActivityPub|masto\.example|follow request/);
  const bad = await cli(config, ["followers", "--protocol", "xmpp"]).then(
    () => assert.fail("an unknown protocol should fail"),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Allowed choices are omb, activitypub/);
  const requests = (await cli(config, ["followers", "requests"])).stdout;
  assert.match(
    requests,
    /^ACTOR\s+HANDLE\s+NAME\s+RECEIVED\nhttps:\/\/ask\.example\/users\/eve\s+eve@ask\.example/,
  );
  const help = (await cli(config, ["followers", "--help"])).stdout;
  for (const o of ["--protocol", "--json", "requests", "approve"])
    assert.ok(help.includes(o), help);
});
