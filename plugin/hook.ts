import { randomUUID } from "node:crypto";
import { signHook } from "../protocol/hook-signature.js";

/**
 * Calling the sidecar's deploy hook (`POST <sidecarUrl>/hooks/deploy`, HMAC-SHA256 over
 * `<timestamp>.<body>` keyed by the shared secret). Node's own fetch: the plugin does not
 * import the sidecar. The sidecar's CLI uses the same function for its signed commands.
 */
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

/**
 * What the plugin's `eleventy.after` does when the `hook` option is set: read the secret
 * from the named environment variable and call the hook. Never throws: a build must not fail
 * because the sidecar is down; it warns instead (the cron poll or a later hook catches up).
 */
export async function notifyDeployHook(
  hook: { url: string; secretEnv: string },
  opts: {
    env?: NodeJS.ProcessEnv;
    warn: (message: string) => void;
    info?: (message: string) => void;
    fetchImpl?: typeof fetch;
  },
): Promise<DeployHookAnswer | null> {
  const secret = (opts.env ?? process.env)[hook.secretEnv];
  if (!secret) {
    opts.warn(
      `eleventy-federation: option "hook" is set but the environment variable ${hook.secretEnv} is empty, so the sidecar was not told about this build. Set it to the sidecar's FEDERATION_HOOK_SECRET.`,
    );
    return null;
  }
  try {
    const answer = await callDeployHook({
      url: hook.url,
      secret,
      // A unique body: the sidecar refuses a signature it has seen (two builds in one second).
      body: JSON.stringify({ source: "eleventy", requestId: randomUUID() }),
      ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
    });
    const r = answer.result;
    opts.info?.(
      `eleventy-federation: sidecar synced: ${String(r.newNotices ?? 0)} new notice(s), profile ${
        Array.isArray(r.profileChanged) && r.profileChanged.length > 0 ? "changed" : "unchanged"
      }, ${String(r.destinations ?? 0)} destination(s).`,
    );
    return answer;
  } catch (e) {
    opts.warn((e as Error).message);
    return null;
  }
}
