/**
 * The visitor's side of a subscribe attempt against a sidecar process, timed: the form POST,
 * and (when it got as far as the authorize redirect) the callback. Plain fetch with a long
 * limit, since the point is to see the sidecar's own limits end the attempt.
 */
import { readFile } from "node:fs/promises";
import { OMB_VERSION } from "../../protocol/omb/constants.js";

export interface Attempt {
  status: number;
  body: string;
  location?: string;
  cookie?: string;
  ms: number;
}

/** The page's "Step that failed", or undefined. */
export function stepOf(a: Attempt): string | undefined {
  return /Step that failed: ([^<]+)</.exec(a.body)?.[1];
}

async function timed(url: string, init: RequestInit): Promise<Attempt> {
  const started = performance.now();
  const res = await fetch(url, {
    ...init,
    redirect: "manual",
    signal: AbortSignal.timeout(60_000),
  });
  const body = await res.text();
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("omb_subscribe="));
  return {
    status: res.status,
    body,
    location: res.headers.get("location") ?? undefined,
    cookie: cookie?.split(";")[0],
    ms: performance.now() - started,
  };
}

/** POSTs the subscribe form of the sidecar at `sidecarUrl` with `profileUrl`. */
export function submitForm(sidecarUrl: string, profileUrl: string): Promise<Attempt> {
  return timed(new URL("omb/subscribe", sidecarUrl).href, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ profile_url: profileUrl }).toString(),
  });
}

/** The callback an approving listener sends the browser to, with the flow's cookie. */
export function approve(
  sidecarUrl: string,
  started: Attempt,
  token: string,
  listener: { profile: string; nickname: string },
): Promise<Attempt> {
  const params = new URLSearchParams({
    oauth_token: token,
    omb_version: OMB_VERSION,
    omb_listener_nickname: listener.nickname,
    omb_listener_profile: listener.profile,
  });
  return timed(new URL(`omb/finishsubscribe?${params}`, sidecarUrl).href, {
    headers: started.cookie ? { cookie: started.cookie } : {},
  });
}

/** Resident and peak memory of a process, in MiB (Linux /proc). */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}
