/**
 * The sidecar the provider/hook/admin fuzzer talks to, set up so generated requests can get
 * past authentication into field validation: a real sidecar process (SSRF guard on) that
 * follows a remote author (whose access token signs pushes), a pool of issued request
 * tokens (for authorize and access-token requests), the owner's logged-in cookie and CSRF
 * token, a visitor's cookie and CSRF token, and the hook secret. Limits are lifted so
 * requests reach the handlers (the limits are tested in test/security/rate-limits.test.ts).
 */
import assert from "node:assert/strict";
import { randomBytes, scryptSync } from "node:crypto";
import { RemoteListenee } from "../../helpers/remote-listenee.js";
import { Browser, hiddenField } from "../../helpers/remote-listenee-browser.js";
import { follow, PASSWORD } from "../../helpers/remote-listenee-flow.js";
import { startTarget, type Target } from "../../helpers/remote-listenee-target.js";

export const HOOK_SECRET = "fuzz-hook-secret";
const UNLIMITED = 1_000_000_000;

export interface TokenPair {
  token: string;
  secret: string;
}

export interface ProviderWorld {
  target: Target;
  /** The followed author's service: consumer key = `remote.root`, signs pushes. */
  remote: RemoteListenee;
  /** Its access token (bound to `remote.profile.uri`). */
  access: TokenPair;
  /** Request tokens issued to `remote.root`, for authorize and access-token requests. */
  pool: TokenPair[];
  owner: { cookie: string; csrf: string };
  visitor: { cookie: string; csrf: string };
  close(): Promise<void>;
}

/**
 * PASSWORD hashed with the cheapest parameters the sidecar accepts (N = 2^14, r = 1): the
 * fuzzer posts thousands of logins, and the real cost (r = 8) would make that minutes.
 */
function cheapPasswordHash(): string {
  const salt = randomBytes(16);
  const key = scryptSync(PASSWORD.normalize("NFC"), salt, 32, { N: 2 ** 14, r: 1, p: 1 });
  return ["scrypt", 2 ** 14, 1, 1, salt.toString("base64"), key.toString("base64")].join("$");
}

function cookieHeader(b: Browser): string {
  return [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

export async function startProviderWorld(poolSize = 40): Promise<ProviderWorld> {
  const target = await startTarget({
    passwordHash: cheapPasswordHash(),
    hookSecret: HOOK_SECRET,
    config: {
      allowPrivateNetworks: false,
      logLevel: "error",
      subscribe: { maxAttempts: UNLIMITED },
      login: { maxAttempts: UNLIMITED },
      inbound: { requestTokensPerMinute: UNLIMITED, pushesPerMinute: UNLIMITED },
    },
  });
  const remote = await RemoteListenee.start({ nickname: "fuzzed" });
  try {
    const owner = new Browser();
    await follow(remote, owner, target.url);
    const access = { token: remote.accessToken, secret: remote.accessSecret };
    const pool: TokenPair[] = [];
    for (let i = 0; i < poolSize; i++) {
      const rt = await remote.getRequestToken();
      assert.equal(rt.status, 200, rt.body);
      pool.push({ token: remote.requestToken, secret: remote.requestSecret });
    }
    const status = await owner.get(`${target.url}admin`);
    assert.equal(status.status, 200, status.body.slice(0, 500));
    const visitor = new Browser();
    const login = await visitor.get(`${target.url}admin/login`);
    // the owner-cookie and CSRF keys were made by the pages above: later writes are the fuzz's
    return {
      target,
      remote,
      access,
      pool,
      owner: { cookie: cookieHeader(owner), csrf: hiddenField(status.body, "csrf") ?? "" },
      visitor: { cookie: cookieHeader(visitor), csrf: hiddenField(login.body, "csrf") ?? "" },
      close: async () => {
        await remote.close();
        await target.dispose();
      },
    };
  } catch (e) {
    await remote.close();
    await target.dispose();
    throw e;
  }
}
