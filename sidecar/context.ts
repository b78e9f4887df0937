/** What every part of the running sidecar shares; built once, in server.ts. */
import type { OwnerSessions } from "./auth/session.js";
import type { Config } from "./config.js";
import type { Transports } from "./delivery/transport.js";
import type { SidecarEvents } from "./events.js";
import type { Logger } from "./log.js";
import { HttpClient } from "./net/client.js";
import type { Store } from "./store/store.js";
import type { Protocol } from "./store/types.js";
import type { HookCommands } from "./sync/hook-commands.js";
import type { SiteProfileSource } from "./sync/site-profile.js";
import type { Syncer } from "./sync/syncer.js";
import type { Wing } from "./wing.js";

export interface Context {
  config: Config;
  store: Store;
  /** For every URL that comes from outside (profiles, XRDS, tokens, deliveries): SSRF-guarded. */
  http: HttpClient;
  /**
   * For URLs from the operator's own config only (the published manifest, a site build
   * hook): they may point at the same machine, so private addresses are allowed.
   */
  siteHttp: HttpClient;
  log: Logger;
  events: SidecarEvents;
  /** The one sync runner: hook routes, the poller and commands share it. */
  syncer: Syncer;
  /** The owner's login sessions (authorize and status pages). */
  owner: OwnerSessions;
  /** What `POST /hooks/command` can run. */
  commands: HookCommands;
  /** One transport per protocol wing, for the worker and the sync plan. */
  transports: Transports;
  /** The site's own profile: the last synced one, else the manifest read now. */
  siteProfile: SiteProfileSource;
  /** The protocol wings this sidecar speaks. */
  wings: ReadonlyMap<Protocol, Wing>;
}

/** `Context.http`: SSRF-guarded, with a connection per delivery slot. */
export function createHttp(config: Config): HttpClient {
  return new HttpClient({
    allowPrivateNetworks: config.allowPrivateNetworks,
    connections: config.delivery.concurrency,
  });
}

/** `Context.siteHttp`: the operator's own URLs, and room for a large site's manifest. */
export function createSiteHttp(): HttpClient {
  return new HttpClient({ allowPrivateNetworks: true, maxResponseBytes: 64 * 1024 * 1024 });
}
