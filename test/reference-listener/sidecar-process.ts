import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FileConfig } from "../../sidecar/config.js";
import { DATABASE_URL_VARIABLE } from "../../sidecar/store/open.js";
import { type Served, serve } from "../helpers/serve-process.js";
import { testDatabase } from "../helpers/test-store.js";
import { Browser } from "./browser.js";

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

export interface SidecarProcess extends Served {
  dir: string;
  configFile: string;
  dataFile: string;
  /** Stops the process and deletes its directory. */
  stop(): Promise<void>;
}

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
  const dataFile = path.join(dir, "store.json");
  // (a run on PostgreSQL gives it a database of its own: test/helpers/test-store.ts)
  const database = await testDatabase(configFile, dataFile);
  if (database) config.store = { kind: "postgres" };
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const served = await serve(configFile, {
    entry: opts.entry,
    env: {
      ...process.env,
      NODE_ENV: "test",
      ...(database ? { [DATABASE_URL_VARIABLE]: database } : {}),
      ...opts.env,
    },
    timeoutMs: opts.timeoutMs ?? 20_000,
    graceMs: 5_000,
  });
  return {
    ...served,
    dir,
    configFile,
    dataFile,
    stop: async () => {
      await served.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A visitor's browser that reaches the site's public URL at the sidecar, as a reverse proxy would. */
export function siteBrowser(sidecar: Served): Browser {
  return new Browser({ [SITE_URL.slice(0, -1)]: sidecar.url.slice(0, -1) });
}
