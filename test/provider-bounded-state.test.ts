// Unauthenticated request-token calls keep bounded, small state: 10,000 of them, measured on disk.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sidecarEndpointUrl } from "../contract/public-paths.js";
import { parseConfig } from "../sidecar/config.js";
import {
  issueAccessToken,
  issueRequestToken,
  MAX_LIVE_REQUEST_TOKENS_PER_SOURCE,
  requestSource,
} from "../sidecar/omb/provider-tokens.js";
import { openJsonStore } from "../sidecar/store/json/json-store.js";
import type { RequestToken, Store } from "../sidecar/store/store.js";
import { OMB_VERSION } from "./helpers/remote-listenee.js";
import { sign } from "./helpers/remote-listenee-oauth.js";

const REQUESTS = 10_000;
/** No run may take longer than this, whatever the store does. */
const TIME_LIMIT_MS = 60_000;
/** A stored request token (token, secret, a 255-byte key, address, source, time) stays under this. */
const BYTES_PER_LIVE_TOKEN = 700;
/** A nonce entry (a hash and its expiry time), kept for at most ten minutes. */
const BYTES_PER_NONCE = 80;
const BOUND = MAX_LIVE_REQUEST_TOKENS_PER_SOURCE * BYTES_PER_LIVE_TOKEN;

let dir: string;
let store: Store;
const config = parseConfig(
  { siteUrl: "http://site.example/", publicUrl: "http://site.example/", dataFile: ":memory:" },
  "test",
  tmpdir(),
  {},
);
const url = sidecarEndpointUrl(config.publicUrl, "requestToken");

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ef-bounded-"));
  store = await openJsonStore(path.join(dir, "store.json"), { fsync: false });
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** The store's files on disk, after a compaction folded the journal into the base state. */
async function storeBytes(): Promise<number> {
  await store.compact();
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

/** What `calls` accepted calls from one source may keep: the capped tokens, a nonce entry each. */
const allowed = (calls: number) => BOUND + calls * BYTES_PER_NONCE;

/**
 * Sends up to `REQUESTS` request-token calls from one address, stopping early once the
 * store (checked every 500 calls) has grown past twice `allowed` (so a store without the bounds fails fast instead
 * of filling the disk). Returns how many were sent, how many were granted, and the growth.
 */
async function flood(consumerKey: string, nonce: (i: number) => string, address: string) {
  const start = await storeBytes();
  const deadline = Date.now() + TIME_LIMIT_MS;
  let sent = 0;
  let granted = 0;
  let last: RequestToken | undefined;
  for (; sent < REQUESTS && Date.now() < deadline; sent++) {
    if (sent % 500 === 0 && sent > 0 && (await storeBytes()) - start > 2 * allowed(sent)) break;
    const params = sign(
      "POST",
      url,
      { omb_listener: config.siteUrl, omb_version: OMB_VERSION },
      { consumerKey, nonce: nonce(sent) },
    );
    try {
      last = await issueRequestToken({ config, store }, params, requestSource(address));
      granted++;
    } catch (e) {
      assert.match((e as Error).message, /oauth_consumer_key|oauth_nonce/);
    }
  }
  const growth = (await storeBytes()) - start;
  return { sent, granted, growth, last };
}

describe("request tokens keep bounded state", () => {
  test("10,000 calls with a 60 KB consumer key store nothing", async () => {
    const key = `http://evil.example/${"a".repeat(60_000)}`;
    const r = await flood(key, (i) => `nonce-${i}`, "198.51.100.1");
    console.log(
      `# 60 KB keys: ${r.sent} calls, ${r.granted} granted, store grew ${r.growth} bytes`,
    );
    assert.equal(r.sent, REQUESTS, `stopped early: the store grew ${r.growth} bytes`);
    assert.equal(r.granted, 0);
    assert.ok(r.growth <= 0, `grew ${r.growth} bytes`);
  });

  test("a 60 KB nonce is refused before it is stored (the access-token call keeps nonces)", async () => {
    const key = "http://peer.example/";
    const rt = await issueRequestToken(
      { config, store },
      sign("POST", url, { omb_version: OMB_VERSION }, { consumerKey: key }),
      requestSource("192.0.2.1"),
    );
    const start = await storeBytes();
    const access = sidecarEndpointUrl(config.publicUrl, "access");
    for (let i = 0; i < 20; i++) {
      const params = sign(
        "POST",
        access,
        { omb_version: OMB_VERSION },
        {
          consumerKey: key,
          token: rt.token,
          tokenSecret: rt.secret,
          nonce: `${i}${"n".repeat(60_000)}`,
        },
      );
      await assert.rejects(issueAccessToken({ config, store }, params), /oauth_nonce/);
    }
    assert.equal((await storeBytes()) - start, 0);
  });

  test("10,000 accepted calls of the largest allowed size keep at most the per-source cap", async () => {
    // The largest consumer key and nonce still accepted: a 255-byte URL, a 255-byte nonce.
    const key = `http://evil.example/${"k".repeat(255 - "http://evil.example/".length)}`;
    assert.equal(Buffer.byteLength(key), 255);
    const nonce = (i: number) => `${i}-`.padEnd(255, "n");
    const r = await flood(key, nonce, "2001:db8:1:2::7");
    // The live tokens are the last 100; each is one JSON entry of about this size.
    const perToken = JSON.stringify([r.last?.token, r.last]).length;
    const tokens = MAX_LIVE_REQUEST_TOKENS_PER_SOURCE * perToken;
    const perNonce = (r.growth - tokens) / r.granted;
    console.log(
      `# 255-byte keys and nonces: ${r.sent} calls, ${r.granted} granted, store grew ${r.growth} bytes ` +
        `(allowed ${allowed(r.sent)}): ${MAX_LIVE_REQUEST_TOKENS_PER_SOURCE} live tokens × ~${perToken} B ` +
        `+ ${r.granted} nonce entries × ~${perNonce.toFixed(0)} B, the nonces gone after 10 minutes`,
    );
    assert.equal(r.sent, REQUESTS, `stopped early: the store grew ${r.growth} bytes`);
    assert.equal(r.granted, REQUESTS, "every well-formed call gets a token");
    assert.ok(r.growth <= allowed(r.sent), `grew ${r.growth} bytes, more than ${allowed(r.sent)}`);
  });

  test("another address of the same IPv6 /56 shares the cap; another source has its own", async () => {
    const key = "http://peer.example/";
    const before = await storeBytes();
    const same = await flood(key, (i) => `same-${i}`, "2001:db8:1:2ff::9");
    assert.ok(same.growth <= allowed(same.sent));
    const other = await issueRequestToken(
      { config, store },
      sign("POST", url, { omb_version: OMB_VERSION }, { consumerKey: key }),
      requestSource("203.0.113.9"),
    );
    assert.ok(await store.requestToken(other.token), "another source's token is kept");
    assert.ok((await storeBytes()) - before <= allowed(same.sent + 1) + BYTES_PER_LIVE_TOKEN);
  });
});
