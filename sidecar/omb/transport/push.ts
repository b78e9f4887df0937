/** OMB's transport: postNotice / updateProfile pushes to one postNotice URL, OAuth-signed. */
import { OAuthUrlError } from "../../../protocol/omb/oauth.js";
import type { SendResult, Transport, Verdict } from "../../delivery/transport.js";
import type { Logger } from "../../log.js";
import type { HttpClient } from "../../net/client.js";
import type { Store } from "../../store/store.js";
import type {
  Destination,
  NewOutboundEntry,
  OmbFollower,
  OutboundEntry,
} from "../../store/types.js";
import { type PreparedEntries, refusalOf } from "./entry-params.js";
import { classifyError, classifyResponse } from "./outcome.js";

export interface PushDeps {
  store: Store;
  http: HttpClient;
  log: Logger;
  prepared: PreparedEntries;
}

/**
 * OMB carries new notices and profile changes (OMB.md §4); it has no message for an edit or
 * a removal, so those are skipped. A notice an OMB receiver would refuse is refused here.
 */
export class OmbTransport implements Transport {
  readonly protocol = "omb" as const;
  readonly #deps: PushDeps;

  constructor(deps: PushDeps) {
    this.#deps = deps;
  }

  verdict(entry: NewOutboundEntry): Verdict {
    if (entry.kind !== "notice" && entry.kind !== "profile") return "skip";
    const reason = refusalOf(this.#deps.prepared.siteUrl, entry);
    return reason === undefined ? "send" : { refused: reason };
  }

  async send(destination: Destination, entry: OutboundEntry): Promise<SendResult> {
    try {
      return await pushEntry(this.#deps, destination, entry);
    } catch (err) {
      // Retrying cannot make an unsignable entry signable: it would block the destination.
      if (err instanceof URIError || err instanceof OAuthUrlError) {
        return {
          kind: "unsendable",
          error: `this entry cannot be signed (${err.name}: ${err.message}); skipped, not retried`,
        };
      }
      throw err;
    }
  }
}

/**
 * Pushes one outbound entry to one destination (postNotice URL) with the token of a
 * subscriber there. A 403 means that subscriber revoked us: the subscription is removed,
 * loudly, and the next subscriber at the same URL is tried (OMB.md §4, P4).
 */
export async function pushEntry(
  deps: PushDeps,
  destination: Destination,
  entry: OutboundEntry,
): Promise<SendResult> {
  /** Tokens already used here: a subscriber who subscribed again meanwhile is tried anew. */
  const tried = new Set<string>();
  for (;;) {
    const sub = (await deps.store.followersAt(destination.key)).find(
      (f): f is OmbFollower => f.protocol === "omb" && !tried.has(f.credentials.token),
    );
    if (!sub) return { kind: "gone" };
    const { token, secret, postNoticeUrl, updateProfileUrl } = sub.credentials;
    tried.add(token);
    const target = entry.kind === "profile" ? updateProfileUrl : postNoticeUrl;
    const { body } = deps.prepared.get(entry).sign("POST", target, token, secret);
    let outcome: ReturnType<typeof classifyResponse>;
    try {
      outcome = classifyResponse(await deps.http.postForm(target, body));
    } catch (e) {
      outcome = classifyError(e);
    }
    if (outcome.kind === "delivered") return { kind: "delivered", subscriber: sub.id };
    if (outcome.kind === "refused") return { ...outcome, subscriber: sub.id };
    if (outcome.kind === "retry") return outcome;
    // A 403 is also what a StatusNet 0.9 receiver answers to any OAuth problem (clock skew,
    // a signature bug): log the body, so a wrong removal can be told from a real revocation.
    deps.log.warn(
      {
        subscriber: sub.id,
        destination: destination.url,
        url: target,
        seq: entry.seq,
        status: outcome.status,
        body: outcome.body,
      },
      "delivery answered 403: the subscriber revoked our access token; removing the subscription",
    );
    // Only if it was not replaced meanwhile: a new subscribe brought a new token, which the
    // next turn of the loop uses.
    await deps.store.removeFollower(sub.id, {
      ifCredential: token,
      failure: {
        destination: destination.url,
        protocol: "omb",
        subscriber: sub.id,
        seq: entry.seq,
        status: outcome.status,
        error: `subscription revoked (HTTP ${outcome.status} from ${target}): ${outcome.body}`,
      },
    });
  }
}
