/** How CLI commands change the store: directly when no sidecar holds it, else via its signed hook. */
import { randomUUID } from "node:crypto";
import { callDeployHook, DeployHookError } from "../../contract/hook-client.js";
import { SIDECAR_PATHS } from "../../contract/public-paths.js";
import type { Config } from "../config.js";
import { StoreLockedError } from "../store/json/lock.js";
import { openConfiguredStore } from "../store/open.js";
import type { Store } from "../store/store.js";

/** A CLI command needs the running sidecar but cannot sign its request. */
export class HookSecretMissingError extends Error {
  override name = "HookSecretMissingError";
}

/** Where the CLI finds the running sidecar: `--url`, else the config's host and port. */
function sidecarBaseUrl(config: Pick<Config, "host" | "port">, override?: string): string {
  if (override) return override.replace(/\/+$/, "");
  let host = config.host;
  if (host === "0.0.0.0") host = "127.0.0.1";
  else if (host === "::") host = "::1";
  if (host.includes(":")) host = `[${host}]`;
  return `http://${host}:${config.port}`;
}

/** POSTs a signed body to the running sidecar and returns its JSON answer. */
export async function sendToSidecar(
  config: Pick<Config, "host" | "port" | "secrets">,
  path: typeof SIDECAR_PATHS.hook | typeof SIDECAR_PATHS.hookCommand,
  body: Record<string, unknown>,
  opts: { url?: string } = {},
): Promise<Record<string, unknown>> {
  const secret = config.secrets.hookSecret;
  const base = sidecarBaseUrl(config, opts.url);
  if (!secret) {
    throw new HookSecretMissingError(
      `eleventy-federation: a sidecar is running on this data file, so this command must go through it (${base}${path}), which needs FEDERATION_HOOK_SECRET in the environment (the same value the sidecar has). Set it, or stop the sidecar and retry.`,
    );
  }
  const answer = await callDeployHook({
    url: base + path,
    secret,
    // requestId makes every body unique: the sidecar refuses a signature it has seen.
    body: JSON.stringify({ ...body, requestId: randomUUID() }),
  });
  return answer.result;
}

/**
 * Runs a change on the store directly when no sidecar holds it, or asks the running
 * sidecar to make it (the store has one writer: the process holding its lock).
 */
export async function inStoreOrSidecar<T>(
  config: Config,
  local: (store: Store) => Promise<T>,
  remote: () => Promise<T>,
): Promise<T> {
  let store: Store;
  try {
    store = await openConfiguredStore(config);
  } catch (e) {
    if (e instanceof StoreLockedError) return remote();
    throw e;
  }
  try {
    return await local(store);
  } finally {
    await store.close();
  }
}

/**
 * Removes one record through `inStoreOrSidecar`: `local` on the store (false: there was no
 * such record), else the running sidecar's hook `command` for `uri`. When there was nothing
 * to remove, either way, `notFound()` is thrown.
 */
export async function removeInStoreOrSidecar(
  config: Config,
  what: {
    command: string;
    uri: string;
    local: (store: Store) => Promise<boolean>;
    notFound: () => Error;
    url?: string | undefined;
  },
): Promise<void> {
  await inStoreOrSidecar(
    config,
    async (store) => {
      if (!(await what.local(store))) throw what.notFound();
    },
    async () => {
      const body = { command: what.command, uri: what.uri };
      await sendToSidecar(config, SIDECAR_PATHS.hookCommand, body, { url: what.url }).catch(
        (e: unknown) => {
          throw e instanceof DeployHookError && e.status === 404 ? what.notFound() : e;
        },
      );
    },
  );
}
