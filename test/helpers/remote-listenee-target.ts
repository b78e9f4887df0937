// Our site as the remote listenee's target: a tiny built site (home page with the Yadis
// meta tag, the XRDS the plugin would write, the manifest) served by a real sidecar
// process (`eleventy-federation serve --site`), on a loopback port of its own.
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { sidecarEndpointUrl } from "../../contract/public-paths.js";
import { writeXrds } from "../../protocol/omb/xrds-write.js";
import { cli, type Served, serve } from "./serve-process.js";

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
  /** Extra node flags for the sidecar process (e.g. a CPU profile). */
  nodeArgs?: string[];
  /** False: only write the site and config; start() runs the process. Default true. */
  start?: boolean;
}

export interface Target {
  /** Site URL = public URL = where the sidecar listens, e.g. http://127.0.0.1:41234/ */
  url: string;
  dir: string;
  configFile: string;
  dataFile: string;
  /** The site's federation/manifest.json. */
  manifestFile: string;
  env: NodeJS.ProcessEnv;
  /** The process last started (alive or not), if any. */
  proc: Served | null;
  /** Everything the last process wrote on stderr. */
  stderr(): string;
  /** Starts the process (again) on the same port, config and data. */
  start(): Promise<Served>;
  stop(): Promise<void>;
  /** Stops the process and starts it again. */
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

/** Starts our sidecar in its own process (unless `start: false`); every wait is bounded. */
export async function startTarget(opts: TargetOptions = {}): Promise<Target> {
  const dir = await mkdtemp(path.join(tmpdir(), "omb-provider-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const siteDir = path.join(dir, "site");
  await writeSite(siteDir, url);
  const configFile = path.join(dir, "eleventy-federation.json");
  const dataFile = path.join(dir, "data", "store.json");
  const manifestFile = path.join(siteDir, "federation/manifest.json");
  await writeFile(
    configFile,
    JSON.stringify({
      siteUrl: url,
      publicUrl: url,
      host: "127.0.0.1",
      port,
      dataFile,
      manifest: manifestFile,
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

  const target: Target = {
    url,
    dir,
    configFile,
    dataFile,
    manifestFile,
    env,
    proc: null,
    stderr: () => target.proc?.stderr() ?? "",
    start: async () => {
      target.proc = await serve(configFile, { siteDir, env, nodeArgs: opts.nodeArgs });
      return target.proc;
    },
    stop: async () => {
      await target.proc?.stop();
    },
    restart: async () => {
      await target.stop();
      await target.start();
    },
    dispose: async () => {
      await target.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  if (opts.start !== false) await target.start();
  return target;
}

/** Runs the CLI once with the target's config and environment; its exit code and output. */
export function runCli(
  target: Target,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return cli(target.configFile, args, target.env).then(
    (out) => ({ code: 0, ...out }),
    (e: { code?: number | null; stdout?: string; stderr?: string }) => ({
      code: e.code ?? null,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? "",
    }),
  );
}
