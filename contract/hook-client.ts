/**
 * Calling the sidecar's deploy hook (`POST <sidecarUrl>/hooks/deploy`, HMAC-SHA256 over
 * `<timestamp>.<body>` keyed by the shared secret), with Node's own fetch: the plugin's
 * build hook and the sidecar's CLI (signed commands) both use it.
 */
import { signHook } from "./hook-signature.js";

/** The environment variable the build reads the hook secret from, unless `secretEnv` says. */
export const DEFAULT_HOOK_SECRET_ENV = "FEDERATION_HOOK_SECRET";

export interface DeployHookCall {
  url: string;
  secret: string;
  /** JSON text sent as the body. Default `{}`. */
  body?: string;
  /** Default: the global fetch. */
  fetchImpl?: typeof fetch;
  /** Whole request, the sync it triggers included. Default 60 s. */
  timeoutMs?: number;
}

export interface DeployHookAnswer {
  status: number;
  /** The sidecar's JSON answer (e.g. `{ newNotices, profileChanged, destinations }`). */
  result: Record<string, unknown>;
}

/** The hook could not be called, or the sidecar refused or failed it. */
export class DeployHookError extends Error {
  override name = "DeployHookError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export async function callDeployHook(call: DeployHookCall): Promise<DeployHookAnswer> {
  const body = call.body ?? "{}";
  const doFetch = call.fetchImpl ?? fetch;
  let res: Response;
  let text: string;
  try {
    res = await doFetch(call.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...signHook(call.secret, body) },
      body,
      signal: AbortSignal.timeout(call.timeoutMs ?? 60_000),
    });
    text = await res.text();
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new DeployHookError(
      `eleventy-federation: cannot reach the deploy hook ${call.url} (${cause}). Check that the sidecar runs and the hook URL is right.`,
    );
  }
  if (!res.ok) {
    const advice =
      res.status === 401
        ? " Check that the build and the sidecar share the same hook secret and that both clocks are right."
        : "";
    throw new DeployHookError(
      `eleventy-federation: the deploy hook ${call.url} answered HTTP ${res.status}: ${text.slice(0, 500).trim()}${advice}`,
      res.status,
    );
  }
  let result: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") result = parsed as Record<string, unknown>;
  } catch {
    // A 2xx without JSON (a proxy in between, say) still means the hook was accepted.
  }
  return { status: res.status, result };
}
