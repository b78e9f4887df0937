import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { OWNER_PATHS } from "../../sidecar/auth/owner.js";
import { hashPassword } from "../../sidecar/auth/password.js";
import type { Config } from "../../sidecar/config.js";
import { callBuildHook } from "../../sidecar/inbox/build-hook.js";
import { createLogger } from "../../sidecar/log.js";
import { HttpClient } from "../../sidecar/net/client.js";
import { callDeployHook } from "../helpers/deploy-hook.js";
import { subscribersOf } from "../helpers/fixtures.js";
import { readStore } from "../helpers/read-store.js";
import {
  SITE_URL,
  type SidecarProcess,
  siteBrowser,
  startSidecarProcess,
} from "../reference-listener/sidecar-process.js";
import { type ReferenceListener, startReferenceListener } from "../reference-listener/spawn.js";

/**
 * Secrets never reach the log (issue 6, part 4): a sidecar process with the hook secret and
 * the owner's password hash set, logging at "trace", goes through a whole remote subscribe
 * with the reference listener (request and access tokens, token secrets and signatures pass
 * through it), a failed and a good owner login, and deploy hooks signed right and wrong.
 * Then everything it printed, stdout and stderr, is searched for each secret.
 */

const HOOK_SECRET = `hook-${randomBytes(16).toString("hex")}`;
const PASSWORD = `pw-${randomBytes(12).toString("hex")}`;

let sidecar: SidecarProcess;
let listener: ReferenceListener;
let passwordHash: string;
/** What each exchange answered, for the report (the statuses are not what is tested here). */
const answers: string[] = [];

before(async () => {
  passwordHash = await hashPassword(PASSWORD);
  [sidecar, listener] = await Promise.all([
    startSidecarProcess({
      config: { logLevel: "trace" },
      env: { FEDERATION_HOOK_SECRET: HOOK_SECRET, FEDERATION_OWNER_PASSWORD_HASH: passwordHash },
    }),
    startReferenceListener({ users: ["alice"] }),
  ]);
});
after(async () => {
  await Promise.all([sidecar?.stop(), listener?.stop()]);
});

const browser = () => siteBrowser(sidecar);

async function subscribe(): Promise<void> {
  const b = browser();
  const start = await b.postForm(`${SITE_URL}omb/subscribe`, {
    profile_url: listener.profileUrl("alice"),
  });
  assert.equal(start.status, 303, start.body);
  const authorize = await b.follow(start);
  assert.equal(authorize.status, 303, authorize.body);
  const finish = await b.follow(authorize);
  assert.equal(finish.status, 200, finish.body);
}

async function ownerLogins(): Promise<void> {
  const b = browser();
  const page = await b.get(`${SITE_URL}${OWNER_PATHS.login.slice(1)}`);
  const csrf = /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? "";
  for (const password of ["wrong password", PASSWORD]) {
    const v = await b.postForm(`${SITE_URL}${OWNER_PATHS.login.slice(1)}`, {
      csrf,
      password,
      next: "/admin",
    });
    answers.push(`login: ${v.status}`);
  }
}

async function deployHooks(): Promise<void> {
  for (const secret of [HOOK_SECRET, "not-the-secret"]) {
    const res = await callDeployHook(sidecar.url, secret, { source: "secrets-test" });
    answers.push(`hook: ${res.status}`);
    await res.arrayBuffer();
  }
}

/** Every secret the run handled, with what it is. */
async function secretsSeen(): Promise<Array<[string, string]>> {
  const seen = await listener.seen();
  const found: Array<[string, string]> = [
    ["hook secret", HOOK_SECRET],
    ["owner password", PASSWORD],
    ["owner password hash", passwordHash],
    // the hash's salt and key on their own (scrypt$N$r$p$salt$key)
    ...passwordHash
      .split("$")
      .slice(4)
      .map((part): [string, string] => ["password hash part", part]),
  ];
  for (const t of seen.tokens) {
    found.push([`${t.type} token secret`, t.secret]);
    if (t.type === "access") found.push(["access token", t.token]);
  }
  for (const r of seen.requests) {
    const sig = r.params.oauth_signature;
    if (sig) found.push([`oauth_signature of ${r.method} ${r.path}`, sig]);
  }
  await readStore(sidecar.dataFile, async (store) => {
    for (const s of await subscribersOf(store))
      found.push(["stored access token secret", s.secret]);
    found.push(["cookie signing secret", await store.secret("cookie")]);
  });
  return found;
}

describe("secrets never in logs", () => {
  it("a full subscribe, owner logins and deploy hooks print none of the secrets", async (t) => {
    await subscribe();
    await ownerLogins();
    await deployHooks();
    // pino writes asynchronously: let the last lines land
    await new Promise((r) => setTimeout(r, 500));
    const secrets = await secretsSeen();
    assert.ok(
      secrets.some(([what]) => what === "access token secret"),
      "an access token was issued",
    );
    assert.ok(
      secrets.some(([what]) => what.startsWith("oauth_signature")),
      "signed requests were seen",
    );
    const printed = `${sidecar.stdout()}\n${sidecar.stderr()}`;
    assert.ok(
      printed.includes('"level":10') ||
        printed.includes('"level":20') ||
        printed.includes('"level":30'),
      "the log has lines",
    );
    const leaked = secrets.filter(([, value]) => value.length >= 8 && printed.includes(value));
    // a signature is base64: also look for it percent-encoded, as it travels in forms and URLs
    const leakedEncoded = secrets.filter(
      ([what, value]) =>
        what.startsWith("oauth_signature") && printed.includes(encodeURIComponent(value)),
    );
    t.diagnostic(
      `${secrets.length} secrets checked against ${printed.length} bytes of output; ${answers.join(", ")}`,
    );
    assert.deepEqual(
      [...leaked, ...leakedEncoded].map(([what]) => what),
      [],
    );
  });
});

/** A logger writing into a string, as the sidecar's own (same redaction). */
function capturingLogger(): { log: ReturnType<typeof createLogger>; output: () => string } {
  let out = "";
  const sink = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  return { log: createLogger("trace", sink), output: () => out };
}

describe("redaction (unit)", () => {
  it("every stored credential shape is redacted, at the top level and one level down", () => {
    const { log, output } = capturingLogger();
    const secret = (name: string) => `${name}-${randomBytes(8).toString("hex")}`;
    const records: Record<string, Record<string, string>> = {
      subscriber: {
        uri: "http://listener.example/u/1",
        token: secret("token"),
        secret: secret("secret"),
      },
      pending: { requestToken: secret("rt"), requestSecret: secret("rs"), listenerUri: "x" },
      oauthParams: {
        oauth_token: secret("ot"),
        oauth_token_secret: secret("ots"),
        oauth_signature: secret("sig"),
      },
      requestToken: { token: secret("t"), secret: secret("s"), tokenSecret: secret("ts") },
      config: {
        hookSecret: secret("hook"),
        ownerPasswordHash: secret("hash"),
        password: secret("pw"),
      },
    };
    for (const [name, record] of Object.entries(records)) {
      log.info(record, `${name} spread`);
      log.info({ [name]: record }, `${name} nested`);
    }
    for (const where of ["req", "res"]) {
      log.info(
        { [where]: { headers: { authorization: secret("authz"), cookie: secret("cookie") } } },
        where,
      );
    }
    log.info({ headers: { authorization: secret("authz"), cookie: secret("cookie") } }, "headers");
    log.flush();
    const printed = output();
    const values = JSON.stringify(records).match(/[a-z]+-[0-9a-f]{16}/g) ?? [];
    assert.equal(values.length, 13);
    for (const v of values) assert.ok(!printed.includes(v), `${v} printed:\n${printed}`);
    assert.doesNotMatch(printed, /(authz|cookie)-[0-9a-f]{16}/);
    assert.match(printed, /listener\.example/, "ordinary fields still logged");
  });

  it("an unreachable site build hook is logged without its URL (the URL is a secret)", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as { port: number };
    await new Promise((r) => closed.close(r));
    const hookToken = randomBytes(12).toString("hex");
    const { log, output } = capturingLogger();
    const siteHttp = new HttpClient({ allowPrivateNetworks: true });
    try {
      const config = { buildHook: { url: `http://127.0.0.1:${port}/build_hooks/${hookToken}` } };
      await callBuildHook({ config: config as unknown as Config, siteHttp, log });
    } finally {
      await siteHttp.close();
    }
    log.flush();
    assert.match(output(), /site build hook could not be reached/);
    assert.ok(!output().includes(hookToken), output());
  });
});
