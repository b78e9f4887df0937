/** The plugin's build hook: tells the sidecar after a build that the manifest changed. */
import { randomUUID } from "node:crypto";
import { callDeployHook, type DeployHookAnswer } from "../contract/hook-client.js";

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
