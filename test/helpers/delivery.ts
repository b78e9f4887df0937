/** Delivery workers for tests: the core worker with the OMB wing's transport over any client. */
import type { Config } from "../../sidecar/config.js";
import { Transports } from "../../sidecar/delivery/transport.js";
import { type DeliveryDeps, DeliveryWorker } from "../../sidecar/delivery/worker.js";
import { createEvents, type SidecarEvents } from "../../sidecar/events.js";
import type { Logger } from "../../sidecar/log.js";
import type { HttpClient } from "../../sidecar/net/client.js";
import { ombWing } from "../../sidecar/omb/wing.js";
import type { Store } from "../../sidecar/store/store.js";

export function ombDeliveryDeps(d: {
  config: Config;
  store: Store;
  http: HttpClient;
  log: Logger;
  events?: SidecarEvents;
}): DeliveryDeps & { events: SidecarEvents } {
  const events = d.events ?? createEvents();
  const transport = ombWing.transport({ ...d, events });
  return { ...d, events, transports: new Transports([transport]) };
}

export function ombWorker(
  d: Parameters<typeof ombDeliveryDeps>[0],
  opts?: { random?: () => number },
): DeliveryWorker {
  return new DeliveryWorker(ombDeliveryDeps(d), opts);
}
