import assert from "node:assert/strict";
import { test } from "node:test";
import { exponentialSchedule, mastodonSchedule, parseRetryAfter, retryDelayMs } from "./backoff.js";

const policy = { baseDelayMs: 1000, maxDelayMs: 60_000 };

test("retry delays grow exponentially under full jitter and stop at the cap", () => {
  const top = () => 0.999999;
  assert.equal(retryDelayMs(1, policy, { random: top }), 999);
  assert.equal(retryDelayMs(2, policy, { random: top }), 1999);
  assert.equal(retryDelayMs(4, policy, { random: top }), 7999);
  assert.equal(retryDelayMs(7, policy, { random: top }), 59_999);
  assert.equal(retryDelayMs(500, policy, { random: top }), 59_999);
  assert.equal(retryDelayMs(3, policy, { random: () => 0 }), 0);
  for (let attempt = 1; attempt < 40; attempt++) {
    const d = retryDelayMs(attempt, policy);
    assert.ok(
      d >= 0 && d < Math.min(60_000, 1000 * 2 ** (attempt - 1)),
      `attempt ${attempt}: ${d}`,
    );
  }
});

test("Retry-After is honoured as a floor, up to the cap", () => {
  const low = { random: () => 0 };
  assert.equal(retryDelayMs(1, policy, { ...low, retryAfterMs: 5000 }), 5000);
  assert.equal(retryDelayMs(1, policy, { ...low, retryAfterMs: 10 * 86_400_000 }), 60_000);
  assert.equal(retryDelayMs(6, policy, { random: () => 0.5, retryAfterMs: 1 }), 16_000);
});

test("Retry-After parses delay-seconds and HTTP dates, and ignores junk", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter(" 0 ", now), 0);
  assert.equal(parseRetryAfter("Wed, 01 May 2024 12:01:30 GMT", now), 90_000);
  assert.equal(parseRetryAfter("Wed, 01 May 2024 11:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter("-5", now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});

test("the Mastodon-like schedule: (n−1)⁴ + 15 s plus jitter, about 2.1 days over 16 retries", () => {
  const s = mastodonSchedule();
  const low = { random: () => 0 };
  assert.equal(s.delayMs(1, low), 15_000);
  assert.equal(s.delayMs(2, low), 16_000);
  assert.equal(s.delayMs(3, { random: () => 0.5 }), (16 + 15 + 45) * 1000);
  let total = 0;
  for (let n = 1; n <= 16; n++) total += s.delayMs(n, low);
  assert.ok(total / 86_400_000 > 2 && total / 86_400_000 < 2.2, `${total / 86_400_000} days`);
  let most = 0;
  for (let n = 1; n <= 16; n++) most += s.delayMs(n, { random: () => 0.999 });
  assert.ok(most - total < 3 * 3_600_000, "jitter adds at most ~1 h over the whole curve");
  assert.equal(s.maxAttempts, 17);
  assert.equal(s.delayMs(1, { ...low, retryAfterMs: 3_600_000 }), 3_600_000, "Retry-After floor");
  assert.equal(s.delayMs(1, { ...low, retryAfterMs: 9e12 }), 86_400_000, "capped at a day");
});

test("the Mastodon-like schedule scales: a 0.015 s first delay is a thousandth of it", () => {
  const s = mastodonSchedule(0.015);
  assert.equal(s.delayMs(1, { random: () => 0 }), 15);
  assert.equal(s.delayMs(5, { random: () => 0 }), Math.floor((256 + 15) * 1));
});

test("the exponential schedule is retryDelayMs with the configured horizon", () => {
  const s = exponentialSchedule(policy, 7);
  assert.equal(s.delayMs(4, { random: () => 0.999999 }), 7999);
  assert.equal(s.giveUpAfterDays, 7);
  assert.equal(s.maxAttempts, undefined);
});
