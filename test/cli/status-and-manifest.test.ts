/** `status` says whether the sidecar runs and the secrets are set; a wrong manifest path is explained once. */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { freePort } from "../../scripts/demo-sites.js";
import { testManifest, writeManifest } from "../helpers/receiver-manifest.js";
import { cli, serve } from "../helpers/serve-process.js";

const SITE = "https://site.example/";
let dir = "";
let port = 0;
/** The environment without the secrets a developer's shell may have set. */
const { FEDERATION_HOOK_SECRET: _h, FEDERATION_OWNER_PASSWORD_HASH: _o, ...bare } = process.env;

/** A config in its own folder; the built site's manifest at `_site/federation/manifest.json`. */
async function setup(name: string, manifest: string): Promise<string> {
  const base = path.join(dir, name);
  await mkdir(path.join(base, "_site/federation"), { recursive: true });
  await writeManifest(path.join(base, "_site/federation/manifest.json"), testManifest(SITE, [1]));
  const file = path.join(base, "federation.json");
  await writeFile(
    file,
    JSON.stringify({
      siteUrl: SITE,
      publicUrl: SITE,
      host: "127.0.0.1",
      port,
      dataFile: "store.json",
      manifest,
      fsync: false,
      logLevel: "warn",
    }),
  );
  return file;
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cli-status-"));
  port = await freePort();
});
after(() => rm(dir, { recursive: true, force: true }));

test("status before and after a first sync: no sidecar, no secrets, why the outbound log is empty", async () => {
  const config = await setup("fresh", "_site/federation/manifest.json");
  const before = (await cli(config, ["status"], bare)).stdout;
  assert.match(
    before,
    new RegExp(`Sidecar\\s+not running \\(nothing answers on http://127\\.0\\.0\\.1:${port}/`),
  );
  assert.match(before, /Hook secret\s+FEDERATION_HOOK_SECRET is not set here/);
  assert.match(
    before,
    /Owner password\s+FEDERATION_OWNER_PASSWORD_HASH is not set here.*npm run --silent hash-password/,
  );
  assert.match(before, /Outbound log\s+empty \(nothing synced yet\)/);

  await cli(config, ["sync"], bare);
  const afterSync = (await cli(config, ["status"], bare)).stdout;
  assert.match(
    afterSync,
    /Outbound log\s+empty: the first sync recorded the posts already published as sent/,
  );
});

test("status with the sidecar running and both secrets set", async () => {
  const config = await setup("running", "_site/federation/manifest.json");
  const env = {
    ...bare,
    FEDERATION_HOOK_SECRET: "status-test-secret",
    FEDERATION_OWNER_PASSWORD_HASH:
      "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
  };
  const sidecar = await serve(config, { env: { ...env, FEDERATION_OWNER_PASSWORD_HASH: "" } });
  try {
    const { stdout } = await cli(config, ["status"], env);
    assert.match(
      stdout,
      new RegExp(`Sidecar\\s+running, answering on http://127\\.0\\.0\\.1:${port}/`),
    );
    assert.match(stdout, /Hook secret\s+FEDERATION_HOOK_SECRET is set here/);
    assert.match(
      stdout,
      /Owner password\s+FEDERATION_OWNER_PASSWORD_HASH is set here \(status page https:\/\/site\.example\/admin\)/,
    );
    const json = JSON.parse((await cli(config, ["status", "--json"], env)).stdout);
    assert.deepEqual(json.sidecar, { url: `http://127.0.0.1:${port}/`, running: true });
    assert.deepEqual(json.secretsSet, { hookSecret: true, ownerPassword: true });
    assert.doesNotMatch(JSON.stringify(json), /status-test-secret|scrypt\$/);
  } finally {
    await sidecar.stop();
  }
});

test("a wrong manifest path on a built site: pointed at the built one, said once", async () => {
  const config = await setup("typo", "_site/federation/manfest.json");
  const failed = await cli(config, ["sync"], bare).then(
    () => assert.fail("sync should fail"),
    (e: { stderr: string; code: number }) => e,
  );
  assert.equal(failed.code, 1);
  const built = path.join(dir, "typo/_site/federation/manifest.json");
  assert.doesNotMatch(failed.stderr, /Build the site first/);
  assert.equal(failed.stderr.split("does not exist").length - 1, 1, failed.stderr);
  assert.ok(failed.stderr.includes(`but the built site has one at ${built}`), failed.stderr);
  assert.doesNotMatch(failed.stderr, /sync failed/);
  // status tells the same, from the failed sync it recorded
  const { stdout } = await cli(config, ["status"], bare);
  assert.ok(stdout.includes(`but the built site has one at ${built}`), stdout);
});

test("a manifest path on a site not built yet: build it", async () => {
  const config = await setup("unbuilt", "out/federation/manifest.json");
  await rm(path.join(dir, "unbuilt/_site"), { recursive: true });
  const failed = await cli(config, ["sync"], bare).then(
    () => assert.fail("sync should fail"),
    (e: { stderr: string }) => e,
  );
  assert.match(
    failed.stderr,
    /does not exist\. Build the site \(it writes federation\/manifest\.json in its output folder\), or fix "manifest"/,
  );
});
