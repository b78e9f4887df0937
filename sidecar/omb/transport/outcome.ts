/** Classifies one OMB push's answer or error as delivered, revoked, retry or refused. */
import { OMB_SUCCESS_BODY } from "../../../protocol/omb/constants.js";
import { parseRetryAfter } from "../../delivery/backoff.js";
import { FetchError, type HttpResponse } from "../../net/client.js";
import { excerpt } from "../../net/excerpt.js";

/**
 * What one push (postNotice or updateProfile) to a destination came to. The policy
 * (docs/delivery.md "Retries and giving up"):
 * - 200 whose body contains the literal `omb_version=…` (libomb's substring check): delivered;
 * - 500 "Duplicate notice": StatusNet 0.9 already holds that notice URI (we resent it after a
 *   crash, when it was in flight): delivered, or the destination would retry it for days;
 * - 403: the listener revoked our token (OMB has no unsubscribe message): that subscription ends;
 * - 5xx, 408, 429, 3xx, a 200 without the success text, timeouts, resets, refused
 *   connections: retried with backoff (Retry-After honoured);
 * - any other 4xx: the receiver refused this entry; retrying cannot change its mind, so it is
 *   recorded as a permanent failure and the destination moves on to the next entry.
 */
export type Outcome =
  | { kind: "delivered" }
  | { kind: "revoked"; status: number; body: string }
  | { kind: "retry"; error: string; status?: number; retryAfterMs?: number }
  | { kind: "refused"; error: string; status: number };

/** StatusNet 0.9's answer to a notice URI it already stored (OMB.md §4 error table). */
const DUPLICATE_NOTICE = /duplicate notice/i;

export function classifyResponse(res: HttpResponse, now = Date.now()): Outcome {
  const { status } = res;
  if (status === 200) {
    if (res.body.includes(OMB_SUCCESS_BODY)) return { kind: "delivered" };
    return {
      kind: "retry",
      status,
      error: `HTTP 200 without "${OMB_SUCCESS_BODY}" in the body: ${excerpt(res.body) || "(empty)"}`,
    };
  }
  if (status === 403) return { kind: "revoked", status, body: excerpt(res.body) };
  if (status === 500 && DUPLICATE_NOTICE.test(res.body)) return { kind: "delivered" };
  const error = `HTTP ${status}: ${excerpt(res.body) || "(empty body)"}`;
  if (status >= 500 || status === 408 || status === 429 || (status >= 300 && status < 400)) {
    const retryAfterMs = parseRetryAfter(res.headers["retry-after"], now);
    return retryAfterMs === undefined
      ? { kind: "retry", status, error }
      : { kind: "retry", status, error, retryAfterMs };
  }
  return { kind: "refused", status, error };
}

/** A request that got no HTTP answer; anything but a FetchError is a bug and is rethrown. */
export function classifyError(err: unknown): Outcome {
  if (err instanceof FetchError) return { kind: "retry", error: `${err.code}: ${err.message}` };
  throw err;
}
