/**
 * Signing one notice for many destinations: the general path (`signRequest`, then
 * `encodeForm`) against `PreparedRequest`. Both produce the same body.
 * Run: node --import tsx bench/sign.ts [signatures]   (default 20000, capped at 200000)
 * Prints µs per signature for each path; the last line is `ratio: N` (general / prepared).
 */

import { encodeForm, signRequest } from "../protocol/omb/oauth.js";
import { PreparedRequest } from "../protocol/omb/oauth-fast.js";

const requested = Number(process.argv[2] ?? 20_000);
const count = Number.isFinite(requested)
  ? Math.min(Math.max(Math.floor(requested), 1000), 200_000)
  : 20_000;
const destinations = 2000;

const consumerKey = "https://blog.example/";
const notice = {
  omb_version: "http://openmicroblogging.org/protocol/0.1",
  omb_listenee: "https://blog.example/",
  omb_notice: "https://blog.example/posts/2024/a-post-about-federation/",
  omb_notice_content:
    "A post about federation: why OMB still matters & what it got right — https://blog.example/p/1",
  omb_notice_license: "http://creativecommons.org/licenses/by/3.0/",
  omb_notice_url: "https://blog.example/posts/2024/a-post-about-federation/",
};
const targets = Array.from({ length: destinations }, (_, i) => ({
  url: `https://peer${i}.example/index.php/postnotice`,
  token: (i * 2654435761).toString(16).padStart(32, "0").slice(0, 32),
  secret: (i * 40503).toString(16).padStart(32, "7").slice(0, 32),
}));

function general(i: number): string {
  const t = targets[i % destinations];
  if (!t) throw new Error("unreachable");
  const creds = { consumerKey, token: t.token, tokenSecret: t.secret };
  return encodeForm(signRequest("POST", t.url, notice, creds));
}

const prepared = new PreparedRequest(notice, consumerKey);
function fast(i: number): string {
  const t = targets[i % destinations];
  if (!t) throw new Error("unreachable");
  return prepared.sign("POST", t.url, t.token, t.secret).body;
}

/** µs per call over `count` calls, after a warm-up of a tenth as many. */
function measure(fn: (i: number) => string): number {
  let sink = 0;
  for (let i = 0; i < count / 10; i++) sink += fn(i).length;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) sink += fn(i).length;
  const elapsed = Number(process.hrtime.bigint() - start) / 1000;
  if (sink === 0) throw new Error("nothing signed");
  return elapsed / count;
}

const generalUs = measure(general);
const fastUs = measure(fast);
console.log(`signatures per path: ${count} over ${destinations} destinations`);
console.log(`general path (signRequest): ${generalUs.toFixed(2)} µs/signature`);
console.log(`prepared path:   ${fastUs.toFixed(2)} µs/signature`);
console.log(`ratio: ${(generalUs / fastUs).toFixed(2)}`);
