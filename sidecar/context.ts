import { EventEmitter } from "node:events";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import { HttpClient } from "./net/client.js";
import type { Store } from "./store/store.js";

/** What every part of the running sidecar shares. */
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
  /**
   * "outbound": new entries were appended to the outbound log (wakes the delivery worker);
   * "inbox": a notice arrived from someone the site follows.
   */
  events: EventEmitter;
}

export function createEvents(): EventEmitter {
  const events = new EventEmitter();
  events.setMaxListeners(50);
  return events;
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
