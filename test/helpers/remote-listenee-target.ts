// Our site as the remote listenee's target: a tiny built site (home page with the Yadis
// meta tag, the XRDS the plugin would write, the manifest) served by a real sidecar
// process (`eleventy-federation serve --site`), on a loopback port of its own.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sidecarEndpointUrl } from "../../protocol/sidecar-paths.js";
import { writeXrds } from "../../protocol/xrds.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = path.join(ROOT, "sidecar/cli/main.ts");

export const OWN_PROFILE = {
  nickname: "mira",
  fullname: "Mira Okafor",
  bio: "Bikes & bread",
  location: "Lisbon",
  homepage: "",
  avatar: "",
  license: "http://creativecommons.org/licenses/by/3.0/",
};

export interface TargetOptions {
  /** FEDERATION_OWNER_PASSWORD_HASH (none: login not set up). */
  passwordHash?: string;
  /** FEDERATION_HOOK_SECRET. */
  hookSecret?: string;
  /** Extra config keys. */
  config?: Record<string, unknown>;
}

export interface Target {
  /** Site URL = public URL = where the sidecar listens, e.g. http://127.0.0.1:41234/ */
  url: string;
  dir: string;
  configFile: string;
  dataFile: string;
  env: NodeJS.ProcessEnv;
  /** Everything the process wrote on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
  /** Starts the process again on the same port and data. */
  restart(): Promise<void>;
  /** Stops and deletes the directory. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function writeSite(siteDir: string, url: string): Promise<void> {
  await mkdir(path.join(siteDir, "federation"), { recursive: true });
  await writeFile(
    path.join(siteDir, "index.html"),
    `<!doctype html><html><head><meta http-equiv="X-XRDS-Location" content="${url}xrds.xml"><title>Mira</title></head><body>Mira</body></html>`,
  );
  const at = (e: Parameters<typeof sidecarEndpointUrl>[1]) => sidecarEndpointUrl(url, e);
  await writeFile(
    path.join(siteDir, "xrds.xml"),
    writeXrds({
      localId: url,
      request: at("requestToken"),
      authorize: at("authorize"),
      access: at("access"),
      postNotice: at("postNotice"),
      updateProfile: at("updateProfile"),
    }),
  );
  const manifest = {
    version: 1,
    profile: { uri: url, profile: url, ...OWN_PROFILE },
    notices: [],
  };
  await writeFile(path.join(siteDir, "federation/manifest.json"), JSON.stringify(manifest));
}

/** Starts our sidecar in its own process; every wait is bounded. */
export async function startTarget(opts: TargetOptions = {}): Promise<Target> {
  const dir = await mkdtemp(path.join(tmpdir(), "omb-provider-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const siteDir = path.join(dir, "site");
  await writeSite(siteDir, url);
  const configFile = path.join(dir, "eleventy-federation.json");
  const dataFile = path.join(dir, "data", "store.json");
  await writeFile(
    configFile,
    JSON.stringify({
      siteUrl: url,
      publicUrl: url,
      host: "127.0.0.1",
      port,
      dataFile,
      manifest: path.join(siteDir, "federation/manifest.json"),
      allowPrivateNetworks: true,
      fsync: false,
      logLevel: "info",
      ...opts.config,
    }),
  );
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FEDERATION_OWNER_PASSWORD_HASH;
  delete env.FEDERATION_HOOK_SECRET;
  if (opts.passwordHash) env.FEDERATION_OWNER_PASSWORD_HASH = opts.passwordHash;
  if (opts.hookSecret) env.FEDERATION_HOOK_SECRET = opts.hookSecret;

  let child: ChildProcess | null = null;
  let stderr = "";
  const start = async () => {
    const c = spawn(
      process.execPath,
      ["--import", "tsx", CLI, "serve", "--config", configFile, "--site", siteDir],
      { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] },
    );
    child = c;
    c.stderr?.setEncoding("utf8");
    const listening = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sidecar did not start:\n${stderr}`)),
        30_000,
      );
      c.stderr?.on("data", (chunk: string) => {
        stderr += chunk;
        if (stderr.includes("listening on")) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`sidecar exited (${code}) before listening:\n${stderr}`));
      });
    });
    await listening;
  };
  const stop = async () => {
    const c = child as ChildProcess | null;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = once(c, "exit");
    c.kill("SIGTERM");
    const timer = setTimeout(() => c.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url,
    dir,
    configFile,
    dataFile,
    env,
    stderr: () => stderr,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the CLI once with the target's config and environment. */
export async function runCli(
  target: Target,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = spawn(
    process.execPath,
    ["--import", "tsx", CLI, ...args, "--config", target.configFile],
    {
      cwd: ROOT,
      env: target.env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  c.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  c.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const timer = setTimeout(() => c.kill("SIGKILL"), 30_000);
  const [code] = (await once(c, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
