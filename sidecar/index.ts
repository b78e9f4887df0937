/** The sidecar's programmatic API (`eleventy-federation/sidecar`). */
export { createApp } from "./app.js";
export {
  type Config,
  ConfigError,
  type FileConfig,
  loadConfig,
  parseConfig,
  secretsFromEnv,
} from "./config.js";
export { createLogger, type Logger } from "./log.js";
export { HttpClient } from "./net/client.js";
export { type RunningSidecar, type StartOptions, startSidecar } from "./server.js";
export { Store } from "./store/store.js";
export type * from "./store/types.js";
