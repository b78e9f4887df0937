/** The sidecar's programmatic API (`eleventy-federation/sidecar`). */
export { createApp } from "./app.js";
export { hashPassword, verifyPassword } from "./auth/password.js";
export {
  type Config,
  ConfigError,
  type FileConfig,
  loadConfig,
  parseConfig,
  secretsFromEnv,
} from "./config.js";
export { type DeliveryStatus, deliveryStatus } from "./delivery/status.js";
export type { Transport } from "./delivery/transport.js";
export { type DeliveryCounts, DeliveryWorker } from "./delivery/worker.js";
export { type InboxExport, inboxExport, writeInboxExport } from "./inbox/export.js";
export { createLogger, type Logger } from "./log.js";
export { HttpClient } from "./net/client.js";
export {
  composeSidecar,
  type RunningSidecar,
  type StartOptions,
  startSidecar,
} from "./server.js";
export { openJsonStore } from "./store/json/json-store.js";
export { openMemoryStore } from "./store/memory/memory-store.js";
export { openStore } from "./store/open.js";
export type { Store } from "./store/store.js";
export type * from "./store/types.js";
export { type HookCommandHandler, HookCommands } from "./sync/hook-commands.js";
export { ManifestRunModeError, ManifestSourceError } from "./sync/manifest-source.js";
export { Syncer, type SyncResult, syncOnce } from "./sync/syncer.js";
export type { Wing } from "./wing.js";
