/** Classifies one ActivityPub delivery's answer as delivered, gone, retry or refused. */
import { parseRetryAfter } from "../../delivery/backoff.js";
import type { HttpResponse } from "../../net/client.js";
import { excerpt } from "../../net/excerpt.js";

/**
 * The policy (Mastodon's DeliveryWorker, AP.md §1):
 * - 2xx: delivered (Mastodon and Fedify answer 202);
 * - 410 Gone: the inbox, and whoever received there, is gone;
 * - 401 (a key the receiver has not refetched yet), 408, 429, 5xx, 3xx: retried with
 *   backoff, Retry-After honoured;
 * - any other 4xx: refused for good, the body kept so the owner sees why.
 */
export type ApOutcome =
  | { kind: "delivered" }
  | { kind: "gone"; status: 410; error: string }
  | { kind: "retry"; error: string; status: number; retryAfterMs?: number }
  | { kind: "refused"; error: string; status: number };

const RETRIED = (status: number) =>
  status >= 500 ||
  status === 401 ||
  status === 408 ||
  status === 429 ||
  (status >= 300 && status < 400);

export function classifyApResponse(res: HttpResponse, now = Date.now()): ApOutcome {
  const { status } = res;
  if (status >= 200 && status < 300) return { kind: "delivered" };
  const error = `HTTP ${status}: ${excerpt(res.body) || "(empty body)"}`;
  if (status === 410) return { kind: "gone", status, error };
  if (RETRIED(status)) {
    const retryAfterMs = parseRetryAfter(res.headers["retry-after"], now);
    return retryAfterMs === undefined
      ? { kind: "retry", status, error }
      : { kind: "retry", status, error, retryAfterMs };
  }
  return { kind: "refused", status, error };
}
