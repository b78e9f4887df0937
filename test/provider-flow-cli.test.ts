// Site as listener (OMB.md §3–4): unfollowing with the CLI, sidecar running and stopped; a restart.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { follow } from "./helpers/remote-listenee-flow.js";
import { runCli } from "./helpers/remote-listenee-target.js";
import { browser, exportFile, remote, setUpFlowTarget, target } from "./provider-flow-setup.js";

setUpFlowTarget();

describe("unfollowing", () => {
  test("with the CLI while the sidecar runs (signed command) and while it is stopped", async () => {
    const gus = await remote("gus");
    const hal = await remote("hal");
    await follow(gus, browser, target.url);
    await follow(hal, browser, target.url);
    const list = await runCli(target, ["following"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /gus/);
    assert.match(list.stdout, /hal/);

    const running = await runCli(target, ["following", "remove", gus.profile.uri]);
    assert.equal(running.code, 0, running.stderr);
    assert.equal((await gus.postNotice("g1")).status, 403);
    const unknown = await runCli(target, ["following", "remove", "http://nobody.example/"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /does not follow/);

    await target.stop();
    const stopped = await runCli(target, ["following", "remove", hal.profile.uri]);
    assert.equal(stopped.code, 0, stopped.stderr);
    const file = await exportFile();
    assert.equal(
      file?.following.some((f) => f.uri === hal.profile.uri),
      false,
    );
    await target.restart();
    assert.equal((await hal.postNotice("h1")).status, 403);
    const after = await runCli(target, ["following", "--json"]);
    const uris = (JSON.parse(after.stdout) as { uri: string }[]).map((f) => f.uri);
    assert.equal(uris.includes(gus.profile.uri) || uris.includes(hal.profile.uri), false);
    assert.equal(after.stdout.includes("token"), false, "no tokens in the listing");
  });

  test("after a restart the owner is still logged in (logins are kept in the store)", async () => {
    assert.equal((await browser.get(`${target.url}admin`)).status, 200);
  });
});
