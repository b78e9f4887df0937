import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FileConfig } from "../../sidecar/config.js";

/**
 * Runs `eleventy-federation serve` as its own process for interop tests, with a config and
 * a manifest written to a temp dir. Port 0: the address comes from serve's
 * "listening on <url>" line on stderr.
 */

export const SITE_URL = "http://site.example/";

/** The site's profile as the manifest gives it (every field set, so all are sent). */
export const SITE_PROFILE = {
  uri: SITE_URL,
  profile: SITE_URL,
  nickname: "site",
  fullname: "Site Author",
  bio: "Writes a static blog.",
  location: "The web",
  homepage: SITE_URL,
  avatar: `${SITE_URL}avatar.png`,
  license: "http://creativecommons.org/licenses/by/3.0/",
};

export interface SidecarProcess {
  /** Where it actually listens, e.g. http://127.0.0.1:41234/ */
  url: string;
  dir: string;
  configFile: string;
  dataFile: string;
  /** The process id (to read its memory use from /proc). */
  pid: number;
  /** What it wrote to stderr so far (the log), for failure messages. */
  stderr(): string;
  /** What it wrote to stdout so far (nothing, normally). */
  stdout(): string;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = path.join(ROOT, "sidecar/cli/main.ts");

export async function startSidecarProcess(
  opts: {
    config?: Partial<FileConfig>;
    profile?: Partial<typeof SITE_PROFILE>;
    timeoutMs?: number;
    /** Extra environment variables (e.g. FEDERATION_HOOK_SECRET). */
    env?: Record<string, string>;
    /** A script run instead of the CLI, given the same `serve --config <file>` arguments. */
    entry?: string;
  } = {},
): Promise<SidecarProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), "omb-subscribe-"));
  const manifest = { version: 1, profile: { ...SITE_PROFILE, ...opts.profile }, notices: [] };
  await writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest));
  const config: FileConfig = {
    siteUrl: SITE_URL,
    publicUrl: SITE_URL,
    host: "127.0.0.1",
    port: 0,
    dataFile: "store.json",
    manifest: "manifest.json",
    allowPrivateNetworks: true,
    logLevel: "info",
    fsync: false,
    ...opts.config,
  };
  const configFile = path.join(dir, "config.json");
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const entry = opts.entry ?? CLI;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", entry, "serve", "--config", configFile],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_ENV: "test", ...opts.env },
    },
  );
  let log = "";
  let out = "";
  child.stderr?.on("data", (c: Buffer) => {
    log = (log + c.toString("utf8")).slice(-200_000);
  });
  child.stdout?.on("data", (c: Buffer) => {
    out = (out + c.toString("utf8")).slice(-200_000);
  });
  const url = await waitForUrl(child, () => log, opts.timeoutMs ?? 20_000);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    url,
    dir,
    configFile,
    dataFile: path.join(dir, "store.json"),
    pid: child.pid ?? 0,
    stderr: () => log,
    stdout: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function waitForUrl(child: ChildProcess, log: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /listening on (http:\/\/\S+\/)/.exec(log());
      if (m?.[1]) finish(null, m[1]);
    }, 25);
    const timer = setTimeout(
      () =>
        finish(new Error(`sidecar did not start within ${timeoutMs} ms:\n${log().slice(-3000)}`)),
      timeoutMs,
    );
    const onExit = (code: number | null) =>
      finish(new Error(`sidecar exited (${code}) before listening:\n${log().slice(-3000)}`));
    child.once("exit", onExit);
    function finish(err: Error | null, url?: string) {
      clearInterval(poll);
      clearTimeout(timer);
      child.off("exit", onExit);
      if (err) {
        child.kill("SIGKILL");
        reject(err);
      } else resolve(url ?? "");
    }
  });
}
