/**
 * Followers by protocol and instance, each instance with how delivery to it stands: the one
 * summary that `eleventy-federation followers` (text or JSON) and the status page show. The
 * grouping is the status report's (`groupFollowers`); what this adds is per instance.
 */
import {
  type DestinationState,
  type DestinationStateName,
  deliveryStatus,
  type StatusOptions,
} from "../delivery/status.js";
import { excerpt } from "../net/excerpt.js";
import { destinationOf, type Store } from "../store/store.js";
import type { DeliveryFailure, Follower, Protocol } from "../store/types.js";
import { plural } from "./plural.js";
import {
  groupFollowers,
  hostOf,
  type InstanceGroup,
  PROTOCOL_NAMES,
  type ProtocolGroup,
} from "./status-data.js";
import { when } from "./when.js";

/** Permanent failures read to find each instance's newest (the store keeps them newest first). */
export const FAILURES_READ = 200;

export interface InstanceSummary extends InstanceGroup {
  /** A destination here is retrying or given up: such instances are listed first. */
  failing: boolean;
  /** The state of its worst destination; absent when it has none. */
  state?: DestinationStateName;
  /** Entries still to send there: the most any of its destinations is behind. */
  behind: number;
  /** The last error of its worst failing destination, on one line and bounded. */
  lastError?: string;
  /** Its newest permanent failure (refused entry, revoked follow, give-up), error bounded. */
  lastFailure?: DeliveryFailure;
}

export interface ProtocolSummary extends Omit<ProtocolGroup, "instances"> {
  /** Failing first, then most followers first. */
  instances: InstanceSummary[];
}

/** 0 for the worst: given up, then retrying, then behind, then up to date. */
function severity(d: DestinationState): number {
  if (d.gaveUpAt) return 0;
  if (d.attempts > 0) return 1;
  return d.behind > 0 ? 2 : 3;
}

const isFailing = (d: DestinationState) => Boolean(d.gaveUpAt) || d.attempts > 0;

/** Its last error as the owner's views show it: one line, bounded (it quotes their answer). */
function boundedError(d: DestinationState): DestinationState {
  return d.lastError === undefined ? d : { ...d, lastError: excerpt(d.lastError) };
}

function summarize(
  protocol: Protocol,
  g: InstanceGroup,
  failures: DeliveryFailure[],
): InstanceSummary {
  const destinations = g.destinations
    .map(boundedError)
    .sort((a, b) => severity(a) - severity(b) || b.behind - a.behind);
  const worst = destinations[0];
  // Records from before protocols were tagged are OMB's (the only protocol then).
  const failure = failures.find(
    (f) => (f.protocol ?? "omb") === protocol && hostOf(f.destination) === g.host,
  );
  return {
    ...g,
    destinations,
    failing: destinations.some(isFailing),
    ...(worst ? { state: worst.state } : {}),
    behind: Math.max(0, ...destinations.map((d) => d.behind)),
    ...(worst && isFailing(worst) && worst.lastError ? { lastError: worst.lastError } : {}),
    ...(failure ? { lastFailure: { ...failure, error: excerpt(failure.error) } } : {}),
  };
}

/**
 * Each instance's delivery state and newest failure (`failures` newest first, as the store
 * gives them), instances sorted failing first, then by follower count, then by host.
 */
export function summarizeInstances(
  groups: ProtocolGroup[],
  failures: DeliveryFailure[],
): ProtocolSummary[] {
  return groups.map((p) => ({
    ...p,
    instances: p.instances
      .map((g) => summarize(p.protocol, g, failures))
      .sort(
        (a, b) =>
          Number(b.failing) - Number(a.failing) ||
          b.count - a.count ||
          a.host.localeCompare(b.host),
      ),
  }));
}

export interface FollowersByInstance {
  /** Followers in all (of the protocol asked for). */
  count: number;
  protocols: ProtocolSummary[];
  /** Every follower, newest first, keyed by `instanceKey` (the summary lists only the newest). */
  followers: Map<string, Follower[]>;
}

/** What identifies a follower's instance: their protocol and the host deliveries go to. */
export function instanceKey(protocol: Protocol, host: string): string {
  return `${protocol} ${host}`;
}

/** Reads the store (read-only is enough): followers, destinations, recent failures. */
export async function followersByInstance(
  store: Store,
  opts: StatusOptions & { protocol?: Protocol; failures?: number } = {},
): Promise<FollowersByInstance> {
  const { protocol, failures = FAILURES_READ, ...rest } = opts;
  const status = await deliveryStatus(store, failures, rest);
  const all = (await store.followers(protocol)).filter((f) => !protocol || f.protocol === protocol);
  const states = status.destinationStates.filter((d) => !protocol || d.protocol === protocol);
  const followers = new Map<string, Follower[]>();
  for (const f of [...all].sort((a, b) => b.since.localeCompare(a.since))) {
    const key = instanceKey(f.protocol, hostOf(destinationOf(f).url));
    followers.set(key, [...(followers.get(key) ?? []), f]);
  }
  return {
    count: all.length,
    protocols: summarizeInstances(groupFollowers(all, states), status.recentFailures),
    followers,
  };
}

/**
 * Where one destination stands, in a line: "caught up", "behind by 2 entries", "retrying
 * since …: 3 failed attempts, next …", "given up at …".
 */
export function deliveryLine(d: DestinationState): string {
  const behind = d.behind > 0 ? `behind by ${plural(d.behind, "entry", "entries")}` : "caught up";
  const attempts = d.attempts > 0 ? `${plural(d.attempts, "failed attempt")}, ` : "";
  if (d.gaveUpAt) {
    return `given up at ${when(d.gaveUpAt)} (${attempts}failing since ${when(d.failingSince)}); ${behind}`;
  }
  if (d.attempts > 0) {
    const next = d.state === "retrying" ? when(d.retryAt) : "due now";
    return `retrying since ${when(d.failingSince)}: ${attempts}next attempt ${next}; ${behind}`;
  }
  if (d.state === "waiting") {
    return `${behind}; waiting: this sidecar does not speak ${PROTOCOL_NAMES[d.protocol]} now`;
  }
  return behind;
}
