/**
 * Everything the owner's status shows, gathered by one function for both of its readers:
 * `eleventy-federation status` (text or JSON) and the status page (GET /admin).
 */

import type { Config } from "../config.js";
import {
  type DeliveryStatus,
  type DestinationState,
  deliveryStatus,
  type StatusOptions,
} from "../delivery/status.js";
import { destinationOf, type Store } from "../store/store.js";
import { type Followed, type Follower, PROTOCOLS, type Protocol } from "../store/types.js";
import { plural } from "./plural.js";

/** How the protocols are named to the owner. */
export const PROTOCOL_NAMES: Record<Protocol, string> = {
  omb: "OpenMicroBlogging",
  activitypub: "ActivityPub",
};

/** Followers listed per instance; the rest are counted (`subscribers` lists them all). */
export const FOLLOWERS_PER_INSTANCE = 20;

/** A follower as the owner sees one, whatever the protocol. */
export interface FollowerSummary {
  id: string;
  /** Nickname (OMB) or handle (ActivityPub). */
  name: string;
  fullname: string;
  /** Their profile page. */
  url: string;
  since: string;
  /** The key of the destination their deliveries go to. */
  destination: string;
}

/** One remote instance (a host, with its port when it has one) of one protocol. */
export interface InstanceGroup {
  host: string;
  /** Followers there. */
  count: number;
  /** The newest of them, at most FOLLOWERS_PER_INSTANCE. */
  followers: FollowerSummary[];
  destinations: DestinationState[];
}

export interface ProtocolGroup {
  protocol: Protocol;
  count: number;
  /** Most followers first. */
  instances: InstanceGroup[];
}

export interface StatusReport extends DeliveryStatus {
  site: string;
  /** Whether each secret is set in this process's environment (never its value). */
  secretsSet: { hookSecret: boolean; ownerPassword: boolean };
  /** Protocols with followers or destinations, in PROTOCOLS order. */
  followersByProtocol: ProtocolGroup[];
}

/** How the owner knows a remote account: its nickname or handle, else its name. */
export function nameOf(f: Follower | Followed): string {
  return f.protocol === "omb" ? f.profile.nickname : (f.profile.handle ?? f.profile.name);
}

function summaryOf(f: Follower): FollowerSummary {
  const omb = f.protocol === "omb";
  return {
    id: f.id,
    name: nameOf(f),
    fullname: omb ? f.profile.fullname : f.profile.name,
    url: omb ? f.profile.profile : f.profile.url,
    since: f.since,
    destination: destinationOf(f).key,
  };
}

/** The host (and port) of a URL: the remote instance; the URL itself when it does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/** Followers and destinations grouped by protocol, then by the host their deliveries go to. */
export function groupFollowers(
  followers: Follower[],
  destinations: DestinationState[],
): ProtocolGroup[] {
  const groups = new Map<Protocol, Map<string, InstanceGroup>>();
  const instance = (protocol: Protocol, url: string): InstanceGroup => {
    const byHost = groups.get(protocol) ?? new Map<string, InstanceGroup>();
    groups.set(protocol, byHost);
    const host = hostOf(url);
    const g = byHost.get(host) ?? { host, count: 0, followers: [], destinations: [] };
    byHost.set(host, g);
    return g;
  };
  const newestFirst = [...followers].sort((a, b) => b.since.localeCompare(a.since));
  for (const f of newestFirst) {
    const g = instance(f.protocol, destinationOf(f).url);
    g.count++;
    if (g.followers.length < FOLLOWERS_PER_INSTANCE) g.followers.push(summaryOf(f));
  }
  for (const d of destinations) instance(d.protocol, d.url).destinations.push(d);
  return PROTOCOLS.filter((p) => groups.has(p)).map((protocol) => {
    const instances = [...(groups.get(protocol)?.values() ?? [])].sort(
      (a, b) => b.count - a.count || a.host.localeCompare(b.host),
    );
    return { protocol, count: instances.reduce((n, g) => n + g.count, 0), instances };
  });
}

/** What `status` and the status page show; reads only (works on a read-only store). */
export async function statusReport(
  store: Store,
  config: Config,
  opts: StatusOptions & { failures?: number } = {},
): Promise<StatusReport> {
  const { failures = 10, ...rest } = opts;
  const delivery = await deliveryStatus(store, failures, rest);
  return {
    site: config.siteUrl,
    secretsSet: {
      hookSecret: Boolean(config.secrets.hookSecret),
      ownerPassword: Boolean(config.secrets.ownerPasswordHash),
    },
    ...delivery,
    followersByProtocol: groupFollowers(await store.followers(), delivery.destinationStates),
  };
}

/** The outbound log's size, and why it is empty after a first sync. */
export function outboundSummary(st: Pick<DeliveryStatus, "head" | "sync">): string {
  if (st.head > 0) return `${st.head} entries so far`;
  if (st.sync.initialized) {
    return "empty: the first sync recorded the posts already published as sent (subscribers do not get the archive); each new post or profile change adds an entry";
  }
  return "empty (nothing synced yet)";
}

/** Followers per protocol, and on how many instances, e.g. "3 (OpenMicroBlogging 3 on 2 instances)". */
export function followersSummary(st: StatusReport): string {
  const parts = st.followersByProtocol.map(
    (g) => `${PROTOCOL_NAMES[g.protocol]} ${g.count} on ${plural(g.instances.length, "instance")}`,
  );
  return parts.length > 0 ? `${st.subscribers} (${parts.join("; ")})` : String(st.subscribers);
}

/** What each secret being set or not means, in the words both readers show. */
export function secretNotes(report: StatusReport, config: Config): [string, string][] {
  return [
    [
      "Hook secret",
      report.secretsSet.hookSecret
        ? "FEDERATION_HOOK_SECRET is set here"
        : "FEDERATION_HOOK_SECRET is not set here: the deploy hook refuses every call, and commands cannot reach a running sidecar",
    ],
    [
      "Owner password",
      report.secretsSet.ownerPassword
        ? `FEDERATION_OWNER_PASSWORD_HASH is set here (status page ${config.publicUrl}admin)`
        : "FEDERATION_OWNER_PASSWORD_HASH is not set here: no owner login (status page, following others). Make it with `npm run --silent hash-password`",
    ],
  ];
}
