/**
 * Two (or more) full instances of the example blog on one machine, each with its own author,
 * port, data directory and sidecar process serving the built site: what `npm run demo`
 * starts and what the browser test (test/e2e/) drives. Everything runs through the real
 * entry points: Eleventy's command line with the example's config, and
 * `eleventy-federation serve --site`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cp, mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { callDeployHook, type DeployHookAnswer } from "../contract/hook-client.js";
import { INBOX_EXPORT_FILE } from "../contract/inbox-export.js";
import { INTERACTIONS_EXPORT_FILE } from "../contract/interactions-export.js";
import { sidecarEndpointUrl } from "../contract/public-paths.js";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
const EXAMPLE = path.join(ROOT, "example-site");
const TSX = path.join(ROOT, "node_modules/tsx/dist/loader.mjs");
const ELEVENTY = path.join(ROOT, "node_modules/@11ty/eleventy/cmd.cjs");
const CLI = path.join(ROOT, "sidecar/cli/main.ts");
/** The example's own config, used for every instance: only the environment differs. */
const ELEVENTY_CONFIG = path.join(EXAMPLE, "eleventy.config.js");

export interface Author {
  nickname: string;
  fullname: string;
  bio: string;
  title: string;
}

export interface SiteInstance {
  name: string;
  author: Author;
  port: number;
  /** `http://<host>:<port>/`: the site, its identity and its sidecar, one process. */
  url: string;
  /** A copy of the example's sources (posts can be added here). */
  sourceDir: string;
  /** Where Eleventy builds it, and what the sidecar serves. */
  siteDir: string;
  /** The sidecar's data: store, inbox.json. */
  dataDir: string;
  configFile: string;
  inboxFile: string;
  /** The environment of the build and the sidecar: URLs, author, secrets. */
  env: Record<string, string>;
}

/** A port free right now on 127.0.0.1 (the OS picks it; the instance then listens on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Files of the example that are sources (not its config, build output or data). */
const NOT_SOURCES = new Set(["_site", "federation-data", "eleventy.config.js", "federation.json"]);

/**
 * Lays out one instance under `root/<name>/`: a copy of the example's sources, a data
 * directory and the sidecar's config. Secrets go to the environment, never to the files.
 */
export async function prepareInstance(opts: {
  root: string;
  name: string;
  port: number;
  /** The URL's host: `localhost` unless given (`127.0.0.1` for handles typed with the address). */
  host?: string;
  author: Author;
  hookSecret: string;
  ownerPasswordHash?: string;
  /** Sidecar config keys to add or override (e.g. delivery timings). */
  config?: Record<string, unknown>;
}): Promise<SiteInstance> {
  const base = path.join(opts.root, opts.name);
  const sourceDir = path.join(base, "source");
  const siteDir = path.join(base, "site");
  const dataDir = path.join(base, "data");
  await mkdir(dataDir, { recursive: true });
  await mkdir(siteDir, { recursive: true });
  await cp(EXAMPLE, sourceDir, {
    recursive: true,
    filter: (src) => !NOT_SOURCES.has(path.relative(EXAMPLE, src).split(path.sep)[0] ?? ""),
  });
  const url = `http://${opts.host ?? "localhost"}:${opts.port}/`;
  const configFile = path.join(dataDir, "sidecar.json");
  await writeFile(
    configFile,
    `${JSON.stringify(
      {
        siteUrl: url,
        publicUrl: url,
        host: "127.0.0.1",
        port: opts.port,
        dataFile: path.join(dataDir, "store.json"),
        manifest: path.join(siteDir, "federation/manifest.json"),
        // Both sites are on this machine: the sidecars must reach each other on loopback.
        allowPrivateNetworks: true,
        fsync: false,
        ...opts.config,
      },
      null,
      2,
    )}\n`,
  );
  const inboxFile = path.join(dataDir, INBOX_EXPORT_FILE);
  const env: Record<string, string> = {
    SITE_URL: url,
    SIDECAR_URL: url,
    SITE_NICKNAME: opts.author.nickname,
    SITE_FULLNAME: opts.author.fullname,
    SITE_BIO: opts.author.bio,
    SITE_TITLE: opts.author.title,
    INBOX_FILE: inboxFile,
    INTERACTIONS_FILE: path.join(dataDir, INTERACTIONS_EXPORT_FILE),
    FEDERATION_HOOK_SECRET: opts.hookSecret,
  };
  if (opts.ownerPasswordHash) env.FEDERATION_OWNER_PASSWORD_HASH = opts.ownerPasswordHash;
  return {
    name: opts.name,
    author: opts.author,
    port: opts.port,
    url,
    sourceDir,
    siteDir,
    dataDir,
    configFile,
    inboxFile,
    env,
  };
}

/** Runs a process to its end within `timeoutMs`; rejects with its output when it fails. */
function run(
  args: string[],
  opts: { cwd: string; env: Record<string, string>; timeoutMs: number; what: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${opts.what} ${signal ? `was stopped (${signal}, limit ${opts.timeoutMs} ms)` : `exited ${code}`}:\n${(out + err).slice(-4000)}`,
          ),
        );
    });
  });
}

/**
 * Builds the instance's site with the example's config. Eleventy runs in the source copy:
 * run from elsewhere, Eleventy 3 leaves an input directory's templates out of collections.
 */
export function buildSite(site: SiteInstance, timeoutMs = 60_000): Promise<string> {
  return run(
    [
      "--import",
      TSX,
      ELEVENTY,
      `--config=${ELEVENTY_CONFIG}`,
      "--input=.",
      `--output=${site.siteDir}`,
      "--quiet",
    ],
    { cwd: site.sourceDir, env: site.env, timeoutMs, what: `the build of ${site.name}` },
  );
}

/** Runs an `eleventy-federation` command on the instance's config; resolves with its stdout. */
export function federationCli(
  site: SiteInstance,
  args: string[],
  timeoutMs = 30_000,
): Promise<string> {
  return run(["--import", TSX, CLI, ...args, "--config", site.configFile], {
    cwd: ROOT,
    env: site.env,
    timeoutMs,
    what: `eleventy-federation ${args.join(" ")} (${site.name})`,
  });
}

/** Tells the instance's running sidecar to read the built manifest (the signed deploy hook). */
export function syncSite(site: SiteInstance): Promise<DeployHookAnswer> {
  return callDeployHook({
    url: sidecarEndpointUrl(site.url, "hook"),
    secret: site.env.FEDERATION_HOOK_SECRET ?? "",
    body: JSON.stringify({ source: "demo", requestId: randomUUID() }),
    timeoutMs: 30_000,
  });
}

/**
 * Writes a new post into the instance's sources (the next build publishes it); with
 * `inReplyTo` (a post's page or object URL) it answers that post.
 */
export async function addPost(
  site: SiteInstance,
  post: { slug: string; title: string; body: string; date?: Date; inReplyTo?: string },
): Promise<string> {
  const file = path.join(site.sourceDir, "posts", `${post.slug}.md`);
  const date = (post.date ?? new Date()).toISOString();
  const reply = post.inReplyTo ? `inReplyTo: ${JSON.stringify(post.inReplyTo)}\n` : "";
  await writeFile(
    file,
    `---\ntitle: ${JSON.stringify(post.title)}\ndate: ${date}\n${reply}---\n${post.body}\n`,
  );
  return file;
}

/**
 * Where the instance's sidecar exports approved replies, likes and boosts (beside its data
 * file); the example's config reads it from INTERACTIONS_FILE.
 */
export function interactionsFile(site: SiteInstance): string {
  return path.join(site.dataDir, INTERACTIONS_EXPORT_FILE);
}

export interface RunningSidecar {
  /** Everything it wrote to stdout and stderr (its log), for failure messages. */
  log(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>;
  /** Resolves when the process exits on its own or is stopped. */
  exited: Promise<number | null>;
}

/** Starts `eleventy-federation serve --site` for the instance and waits until it listens. */
export async function startSidecar(
  site: SiteInstance,
  opts: { timeoutMs?: number; onOutput?: (chunk: Buffer) => void } = {},
): Promise<RunningSidecar> {
  const child = spawn(
    process.execPath,
    ["--import", TSX, CLI, "serve", "--config", site.configFile, "--site", site.siteDir],
    { cwd: ROOT, env: { ...process.env, ...site.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const append = (c: Buffer) => {
    log = (log + c.toString("utf8")).slice(-500_000);
    opts.onOutput?.(c);
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  await waitForListening(child, () => log, exited, opts.timeoutMs ?? 20_000, site.name);
  return {
    log: () => log,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForListening(
  child: ChildProcess,
  log: () => string,
  exited: Promise<number | null>,
  timeoutMs: number,
  name: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (!/listening on http/.test(log())) {
    if (gone)
      throw new Error(`the sidecar of ${name} exited before listening:\n${log().slice(-3000)}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(
        `the sidecar of ${name} did not listen within ${timeoutMs} ms:\n${log().slice(-3000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
