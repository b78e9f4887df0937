import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
import { openStore } from "../../sidecar/store/open.js";
import { CC_BY, RemoteListenee } from "../helpers/remote-listenee.js";
import { Browser, hiddenField } from "../helpers/remote-listenee-browser.js";
import { follow, PASSWORD, passwordHash } from "../helpers/remote-listenee-flow.js";
import { startTarget, type Target } from "../helpers/remote-listenee-target.js";

/**
 * Abuse limits (issue 6, part 4): every endpoint that costs the sidecar work and can be
 * called by anyone answers 429 past its per-address limit — the subscribe form (remote
 * fetches), the owner login (scrypt), request tokens (store writes) and inbound
 * postNotice/updateProfile (store writes). The limits are set low here through the same
 * config keys an operator uses; everything comes from 127.0.0.1, one address.
 */

const LIMITS = {
  subscribe: { maxAttempts: 3 },
  login: { maxAttempts: 3 },
  inbound: { requestTokensPerMinute: 4, pushesPerMinute: 6 },
};

let target: Target;
let remote: RemoteListenee;
const browser = new Browser();

before(async () => {
  target = await startTarget({ passwordHash: await passwordHash(), config: LIMITS });
  remote = await RemoteListenee.start({ nickname: "limited" });
  // one request token and one (successful, uncounted) login used here
  await follow(remote, browser, target.url);
});

after(async () => {
  await remote?.close();
  await target?.dispose();
});

interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

/** Calls `send` until it answers 429 (at most `limit + 3` times); returns every status. */
async function untilLimited(
  limit: number,
  send: () => Promise<Answer>,
): Promise<{ statuses: number[]; limited: Answer }> {
  const statuses: number[] = [];
  for (let i = 0; i < limit + 3; i++) {
    const a = await send();
    statuses.push(a.status);
    if (a.status === 429) return { statuses, limited: a };
  }
  assert.fail(`no 429 after ${limit + 3} requests: ${statuses.join(" ")}`);
}

function assertLimitHeaders(t: TestContext, a: Answer, limit: number): void {
  // draft-8 RateLimit headers: the policy names the limit and the 60 s (or longer) window
  assert.match(a.headers.get("ratelimit-policy") ?? "", new RegExp(`q=${limit};`));
  assert.match(a.headers.get("ratelimit") ?? "", /r=0;/);
  assert.match(a.headers.get("retry-after") ?? "", /^\d+$/, "Retry-After in seconds");
  t.diagnostic(`RateLimit: ${a.headers.get("ratelimit")}`);
}

/** A form POST with the browser's cookies (the login form's CSRF token is bound to them). */
async function post(path: string, form: Record<string, string>): Promise<Answer> {
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(new URL(path, target.url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams(form).toString(),
    redirect: "manual",
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

describe("rate limits per client address", () => {
  it(`postNotice and updateProfile together: ${LIMITS.inbound.pushesPerMinute} a minute, then 429 (plain text) and nothing stored`, async (t) => {
    let n = 0;
    const { statuses, limited } = await untilLimited(LIMITS.inbound.pushesPerMinute, () => {
      n++;
      return n % 2
        ? remote.postNotice(n)
        : remote.updateProfile({ omb_listenee_bio: `bio ${n}`, omb_listenee_license: CC_BY });
    });
    assert.deepEqual(statuses, [...Array(LIMITS.inbound.pushesPerMinute).fill(200), 429]);
    assert.match(limited.headers.get("content-type") ?? "", /^text\/plain/);
    assert.match(limited.body, /Too many notices/);
    assertLimitHeaders(t, limited, LIMITS.inbound.pushesPerMinute);
    // the refused push (an odd one is a notice when the limit is even) left no trace
    const refusedUri = `${remote.root}notice/${n}`;
    const store = await openStore(target.dataFile, { readOnly: true });
    try {
      const inbox = await store.inbox();
      assert.equal(
        inbox.some((x) => x.uri === refusedUri),
        false,
      );
      assert.equal(inbox.length, Math.ceil(LIMITS.inbound.pushesPerMinute / 2));
    } finally {
      await store.close();
    }
  });

  it(`request tokens: ${LIMITS.inbound.requestTokensPerMinute} a minute, then 429 (plain text)`, async (t) => {
    const { statuses, limited } = await untilLimited(LIMITS.inbound.requestTokensPerMinute, () =>
      remote.getRequestToken(),
    );
    // follow() already used one
    assert.deepEqual(statuses, [
      ...Array(LIMITS.inbound.requestTokensPerMinute - 1).fill(200),
      429,
    ]);
    assert.match(limited.body, /Too many request tokens/);
    assertLimitHeaders(t, limited, LIMITS.inbound.requestTokensPerMinute);
  });

  it(`owner login: ${LIMITS.login.maxAttempts} failed attempts, then 429 even for the right password`, async (t) => {
    const form = await browser.get(`${target.url}admin/login`);
    const csrf = hiddenField(form.body, "csrf") ?? "";
    const { statuses, limited } = await untilLimited(LIMITS.login.maxAttempts, () =>
      post("admin/login", { csrf, password: "wrong", next: "" }),
    );
    assert.deepEqual(statuses, [...Array(LIMITS.login.maxAttempts).fill(401), 429]);
    assert.match(limited.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(limited.body, /Too many login attempts/);
    assertLimitHeaders(t, limited, LIMITS.login.maxAttempts);
    const right = await post("admin/login", { csrf, password: PASSWORD, next: "" });
    assert.equal(right.status, 429, "blocked while limited, whatever the password");
  });

  it(`subscribe form: ${LIMITS.subscribe.maxAttempts} attempts, then the 429 page`, async (t) => {
    const { statuses, limited } = await untilLimited(LIMITS.subscribe.maxAttempts, () =>
      post("omb/subscribe", { profile_url: "not a url" }),
    );
    assert.deepEqual(statuses, [...Array(LIMITS.subscribe.maxAttempts).fill(400), 429]);
    assert.match(limited.body, /Step that failed: too many attempts/);
    assertLimitHeaders(t, limited, LIMITS.subscribe.maxAttempts);
  });

  it("the limits are per endpoint: a limited address still reads the form and /healthz", async () => {
    const form = await fetch(`${target.url}omb/subscribe`);
    assert.equal(form.status, 200);
    const health = await fetch(`${target.url}healthz`);
    assert.equal(health.status, 200);
  });
});
