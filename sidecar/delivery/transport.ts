/** The seam between the protocol-neutral delivery worker and each protocol's wire code. */

import type { Destination, NewOutboundEntry, OutboundEntry, Protocol } from "../store/types.js";
import type { RetrySchedule } from "./backoff.js";

/**
 * What a transport makes of an entry, asked by the sync plan before it is appended and by
 * the worker before it is sent: "send"; "skip" (this protocol does not carry that kind, e.g.
 * OMB has no edits: the destination moves past it silently); or a refusal naming the rule
 * it breaks (a receiver would refuse it).
 */
export type Verdict = "send" | "skip" | { refused: string };

/** What sending one entry to one destination came to. */
export type SendResult =
  /** `subscriber`: the follower whose credentials carried it, when one did. */
  | { kind: "delivered"; subscriber?: string }
  /** Worth trying again later (5xx, 408, 429, timeouts, resets...). */
  | { kind: "retry"; error: string; status?: number; retryAfterMs?: number }
  /** The receiver refused this entry for good: recorded, and the destination moves on. */
  | { kind: "refused"; error: string; status?: number; subscriber?: string }
  /** This entry cannot be encoded or signed for this destination: recorded, moved past. */
  | { kind: "unsendable"; error: string }
  /** No follower is left at this destination (each one revoked us, or is gone). */
  | { kind: "gone" };

export interface Transport {
  readonly protocol: Protocol;
  /** How this protocol's failing destinations are retried (default: `delivery`'s backoff). */
  readonly retry?: RetrySchedule;
  verdict(entry: NewOutboundEntry): Verdict;
  send(destination: Destination, entry: OutboundEntry): Promise<SendResult>;
}

/** The transports of a running sidecar, one per protocol it speaks. */
export class Transports {
  readonly #byProtocol = new Map<Protocol, Transport>();

  constructor(transports: readonly Transport[]) {
    for (const t of transports) this.#byProtocol.set(t.protocol, t);
  }

  get(protocol: Protocol): Transport | undefined {
    return this.#byProtocol.get(protocol);
  }

  all(): Transport[] {
    return [...this.#byProtocol.values()];
  }
}
