import { signHook } from "../../contract/hook-signature.js";
import { SIDECAR_PATHS } from "../../contract/public-paths.js";

/**
 * POSTs the deploy hook to the sidecar at `sidecarUrl` (with its trailing slash), signed with
 * `secret`, as a CI step would. A random `n` makes every body new, so none is a replay.
 */
export function callDeployHook(
  sidecarUrl: string,
  secret: string,
  body: Record<string, unknown> = {},
  timeoutMs = 20_000,
): Promise<Response> {
  const text = JSON.stringify({ ...body, n: Math.random() });
  return fetch(new URL(SIDECAR_PATHS.hook.slice(1), sidecarUrl), {
    method: "POST",
    headers: { "content-type": "application/json", ...signHook(secret, text) },
    body: text,
    signal: AbortSignal.timeout(timeoutMs),
  });
}
