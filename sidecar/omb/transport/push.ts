import type { Logger } from "../../log.js";
import type { HttpClient } from "../../net/client.js";
import type { Store } from "../../store/store.js";
import type { OutboundEntry } from "../../store/types.js";
import type { PreparedEntries } from "./entry-params.js";
import { classifyError, classifyResponse } from "./outcome.js";

export interface PushDeps {
  store: Store;
  http: HttpClient;
  log: Logger;
  prepared: PreparedEntries;
}

export type PushResult =
  | { kind: "delivered"; subscriber: string }
  | { kind: "retry"; error: string; status?: number; retryAfterMs?: number }
  | { kind: "refused"; error: string; status: number; subscriber: string }
  /** Every subscriber at the destination revoked us: the destination is gone. */
  | { kind: "gone" };

/**
 * Pushes one outbound entry to one destination (postNotice URL) with the token of a
 * subscriber there. A 403 means that subscriber revoked us: the subscription is removed,
 * loudly, and the next subscriber at the same URL is tried (OMB.md §4, P4).
 */
export async function pushEntry(
  deps: PushDeps,
  destination: string,
  entry: OutboundEntry,
): Promise<PushResult> {
  /** Tokens already used here: a subscriber who subscribed again meanwhile is tried anew. */
  const tried = new Set<string>();
  for (;;) {
    const sub = deps.store.subscriberAt(destination, tried);
    if (!sub) return { kind: "gone" };
    tried.add(sub.token);
    const target = entry.kind === "notice" ? sub.postNoticeUrl : sub.updateProfileUrl;
    const { body } = deps.prepared.get(entry).sign("POST", target, sub.token, sub.secret);
    let outcome: ReturnType<typeof classifyResponse>;
    try {
      outcome = classifyResponse(await deps.http.postForm(target, body));
    } catch (e) {
      outcome = classifyError(e);
    }
    if (outcome.kind === "delivered") return { kind: "delivered", subscriber: sub.uri };
    if (outcome.kind === "refused") return { ...outcome, subscriber: sub.uri };
    if (outcome.kind === "retry") return outcome;
    // A 403 is also what a StatusNet 0.9 receiver answers to any OAuth problem (clock skew,
    // a signature bug): log the body, so a wrong removal can be told from a real revocation.
    deps.log.warn(
      {
        subscriber: sub.uri,
        destination,
        url: target,
        seq: entry.seq,
        status: outcome.status,
        body: outcome.body,
      },
      "delivery answered 403: the subscriber revoked our access token; removing the subscription",
    );
    // Only if it was not replaced meanwhile: a new subscribe brought a new token, which the
    // next turn of the loop uses.
    if (deps.store.subscriber(sub.uri)?.token === sub.token) {
      await deps.store.removeSubscriber(sub.uri, {
        destination,
        subscriber: sub.uri,
        seq: entry.seq,
        status: outcome.status,
        error: `subscription revoked (HTTP ${outcome.status} from ${target}): ${outcome.body}`,
      });
    }
  }
}
