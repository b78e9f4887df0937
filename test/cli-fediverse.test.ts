/**
 * The fediverse commands against a real sidecar process and a real Fedify peer:
 * `following add` by handle (through the running sidecar, which signs the Follow),
 * `following` showing it pending then accepted, `block --domain`/`blocks`/`unblock` both
 * through the sidecar and on the store while it is stopped, and `following remove` while
 * stopped: the Undo goes out at the next start.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type FedifyPeer, startFedifyPeer } from "./helpers/fedify-peer.js";
import { waitFor } from "./helpers/receiver.js";
import { runCli, startTarget, type Target } from "./helpers/remote-listenee-target.js";

describe("fediverse commands", () => {
  let target: Target;
  let peer: FedifyPeer;
  let actor: string;
  before(async () => {
    target = await startTarget({ hookSecret: randomBytes(16).toString("hex") });
    peer = await startFedifyPeer();
    const synced = await runCli(target, ["sync"]);
    assert.equal(synced.code, 0, synced.stderr);
    actor = `${target.url}ap/users/mira`;
  });
  after(async () => {
    await peer?.close();
    await target?.dispose();
  });

  const followingJson = async () => {
    const out = await runCli(target, ["following", "--json"]);
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout) as { uri: string; protocol: string; accepted?: boolean }[];
  };

  it("following add follows by handle; following lists it until and after the Accept", async () => {
    const added = await runCli(target, ["following", "add", `@${peer.handle}`]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^Following /);
    await waitFor(
      async () => (await followingJson()).some((f) => f.uri === peer.actorUrl && f.accepted),
      "the Accept",
    );
    assert.ok((await peer.followers()).includes(actor));
    const table = await runCli(target, ["following"]);
    assert.match(table.stdout, /ActivityPub\s+peer@127\.0\.0\.1:\d+\s+\S+\s+following/);
    const bad = await runCli(target, ["following", "add", "@nobody@127.0.0.1:1"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cannot find @nobody@127\.0\.0\.1:1/);
  });

  it("block, blocks and unblock work through the sidecar and on the stopped store", async () => {
    const blocked = await runCli(target, ["block", "--domain", "Spam.Example"]);
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.equal(blocked.stdout, "Blocked the domain spam.example.\n");
    const list = await runCli(target, ["blocks", "--json"]);
    assert.deepEqual(JSON.parse(list.stdout), [{ kind: "domain", value: "spam.example" }]);
    const refused = await runCli(target, ["block", "not a domain"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /neither an actor URL nor a domain/);
    await target.stop();
    const lifted = await runCli(target, ["unblock", "--domain", "spam.example"]);
    assert.equal(lifted.code, 0, lifted.stderr);
    assert.equal((await runCli(target, ["blocks"])).stdout, "Nothing is blocked.\n");
    assert.equal((await runCli(target, ["replies"])).stdout, "No replies yet.\n");
    await target.start();
  });

  it("following remove while the sidecar is stopped sends the Undo at the next start", async () => {
    await target.stop();
    const removed = await runCli(target, ["following", "remove", peer.actorUrl]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await followingJson()).length, 0);
    await target.start();
    await peer.waitFor((r) => r.some((a) => a.type === "Undo" && a.actor === actor), 15_000);
    await waitFor(
      async () => !(await peer.followers()).includes(actor),
      "the peer to drop the site",
    );
  });
});
