/** The sidecar's config: the JSON file's schema and defaults, secrets from the environment, loading. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { configProblems } from "./config-problems.js";

/**
 * The sidecar's configuration: one JSON file with the keys below (all documented in the
 * README, names kept stable) plus secrets from the environment, never from the file.
 */
const absoluteHttpUrl = z
  .string()
  .refine((s) => /^https?:\/\/[^\s/]+/i.test(s), "must be an absolute http(s) URL");

const httpUrl = absoluteHttpUrl
  // Scheme and host lower-cased, as the plugin writes them into the XRDS and remote
  // services sign them; one trailing slash (the consumer key is the site root with it).
  .transform((s) => {
    const lowered = s.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, (origin) => origin.toLowerCase());
    return lowered.endsWith("/") ? lowered : `${lowered}/`;
  });

/**
 * A database URL holds a password: it comes from FEDERATION_DATABASE_URL only. Thrown, not
 * reported as a schema issue, so that the error never quotes the value.
 */
function refuseDatabaseUrl(raw: unknown): unknown {
  if (!raw || typeof raw !== "object") return raw;
  for (const [key, value] of Object.entries(raw)) {
    const urlLike =
      /url|uri|dsn|connection|password|host/i.test(key) ||
      (typeof value === "string" && /^postgres(ql)?:/i.test(value));
    if (urlLike)
      throw new ConfigError(
        `eleventy-federation: the config file has "store.${key}": the database URL holds a password, so it is read only from the environment. Remove "store.${key}" and set FEDERATION_DATABASE_URL=postgres://user:password@host:5432/database instead.`,
      );
  }
  return raw;
}

export const configSchema = z.strictObject({
  /** The site's public URL: the author's profile URL, identifier URI and OAuth consumer key. */
  siteUrl: httpUrl,
  /** Where the sidecar itself is reachable from the internet (may equal siteUrl). */
  publicUrl: httpUrl,
  /** Interface to listen on. Default: loopback, for running behind a reverse proxy. */
  host: z.string().min(1).default("127.0.0.1"),
  /** Port to listen on. */
  port: z.number().int().min(0).max(65535).default(8080),
  /** The JSON data file (a journal `<dataFile>.journal` and a lock `<dataFile>.lock` sit beside it). */
  dataFile: z.string().min(1).default("federation-data/store.json"),
  /**
   * Where the store lives: "json" (default: the files at `dataFile`) or "postgres" (the
   * database at the environment's FEDERATION_DATABASE_URL, never written in this file).
   */
  store: z
    .preprocess(
      refuseDatabaseUrl,
      z.strictObject({
        kind: z.enum(["json", "postgres"]).default("json"),
        pool: z
          .strictObject({
            /** Connections held at most (default 10); more callers wait for a free one. */
            max: z.number().int().min(1).max(1000).default(10),
          })
          .prefault({}),
      }),
    )
    .prefault({}),
  /** The published manifest: a URL (read over HTTP) or a path to a built `manifest.json`. */
  manifest: z.string().min(1).optional(),
  /** Let outbound requests reach loopback and private addresses. Only for tests on one machine. */
  allowPrivateNetworks: z.boolean().default(false),
  /** Trust X-Forwarded-* from this many proxies in front (Express `trust proxy`). */
  trustProxy: z.union([z.boolean(), z.number().int().min(0), z.string()]).default(false),
  /** pino log level. */
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** fsync the journal before acknowledging a write (survives power loss, not only a crash). */
  fsync: z.boolean().default(true),
  delivery: z
    .strictObject({
      /** Destinations pushed to at the same time. */
      concurrency: z.number().int().min(1).max(1024).default(64),
      /** First retry delay; each further retry doubles it (with jitter), up to maxDelaySeconds. */
      baseDelaySeconds: z.number().positive().default(30),
      maxDelaySeconds: z
        .number()
        .positive()
        .default(6 * 3600),
      /** A destination failing for longer than this is given up (kept and shown, not dropped). */
      giveUpAfterDays: z.number().positive().default(7),
      /**
       * With a store shared by processes (PostgreSQL): how long a process's claim on a
       * destination lasts unless renewed (default 60 s, renewed before each entry). A killed
       * process's destinations are taken over after at most this long.
       */
      claimSeconds: z.number().min(1).default(60),
    })
    .prefault({}),
  poll: z
    .strictObject({
      /** node-cron schedule for reading the published manifest; empty string = no polling. */
      schedule: z.string().default(""),
    })
    .prefault({}),
  /** How received licenses are judged: as StatusNet 0.9 did, by string equality, or not at all. */
  licenseMode: z.enum(["statusnet-0.9", "equal", "any"]).default("statusnet-0.9"),
  /** Longest accepted inbound notice, in characters (0 = unlimited). */
  maxNoticeChars: z.number().int().min(0).default(140),
  /**
   * Optional site build hook (Netlify-style URL, POSTed with an empty body) called when
   * notices arrive or the following list changes, so the timeline gets rebuilt. Default: none.
   */
  buildHook: z
    .strictObject({
      url: absoluteHttpUrl.optional(),
      /** Calls are grouped: one POST at most this often (default 60 s). */
      debounceSeconds: z.number().min(0).default(60),
    })
    .prefault({}),
  /** The subscribe form: each attempt makes the sidecar fetch remote URLs, so it is bounded. */
  subscribe: z
    .strictObject({
      /** Subscribe attempts allowed per client address and window (default 60). */
      maxAttempts: z.number().int().min(1).default(60),
      /** Length of that window, in minutes (default 10). */
      windowMinutes: z.number().positive().default(10),
      /**
       * Longest one attempt may take, all its remote fetches together (profile, XRDS
       * documents, request token; each is also bounded on its own). Default 30 seconds.
       */
      attemptSeconds: z.number().positive().default(30),
    })
    .prefault({}),
  /** Limits on the OMB endpoints other services call when the site follows someone. */
  inbound: z
    .strictObject({
      /**
       * Request tokens one client address may ask for per minute (default 60): anyone can
       * sign that call (the consumer secret is empty), and each token is a store write.
       */
      requestTokensPerMinute: z.number().int().min(1).default(60),
      /**
       * postNotice and updateProfile requests one client address may send per minute,
       * both together (default 600). Counted by address, not by the claimed consumer key:
       * an unsigned request could name someone else's key and use up their allowance.
       */
      pushesPerMinute: z.number().int().min(1).default(600),
      /**
       * ActivityPub inbox POSTs one client address may send per minute (default 3000: one
       * big instance delivers from few addresses). Past it: 429 with Retry-After, which
       * senders retry; checked before the body is read or a signature checked.
       */
      activitiesPerMinute: z.number().int().min(1).default(3000),
    })
    .prefault({}),
  /** The owner's login on the sidecar (authorize page, status page). */
  login: z
    .strictObject({
      /** Failed login attempts allowed per client address and window (default 5). */
      maxAttempts: z.number().int().min(1).default(5),
      /** Length of that window, in minutes (default 15). */
      windowMinutes: z.number().positive().default(15),
      /** How long a login lasts (default 12 hours); logins are kept in the store, across restarts. */
      sessionHours: z.number().positive().default(12),
    })
    .prefault({}),
  /** The ActivityPub wing: the site as a fediverse actor (`@nickname@site-host`). */
  activitypub: z
    .strictObject({
      /**
       * Serve the actor, WebFinger and NodeInfo, and deliver posts to fediverse followers
       * (default true: nothing is sent until someone follows, and OMB is unaffected).
       */
      enabled: z.boolean().default(true),
      /** Hold each Follow for the owner to approve or reject (default false: accept at once). */
      manuallyApprovesFollowers: z.boolean().default(false),
      /** Mastodon: list the account in its directory (default true). */
      discoverable: z.boolean().default(true),
      /** Mastodon: let its search index the posts (default true). */
      indexable: z.boolean().default(true),
      /** Actor URLs of the author's other accounts, for moving followers (default none). */
      alsoKnownAs: z.array(absoluteHttpUrl).max(20).default([]),
      /** Answer GETs of the actor, posts and collections only when signed (default false). */
      secureMode: z.boolean().default(false),
      /** What a post becomes: "Note" (shown in full by Mastodon, default) or "Article". */
      objectType: z.enum(["Note", "Article"]).default("Note"),
      /**
       * First retry delay of a failing inbox (default 15 s): later ones follow Mastodon's
       * curve ((n−1)⁴ + 15 s, scaled by this ÷ 15), given up after 16 retries (~2.1 days).
       */
      firstRetrySeconds: z.number().positive().default(15),
      /**
       * The signature scheme tried first at an inbox not seen yet (default draft-cavage, what
       * every server verifies; "rfc9421" for RFC 9421 first). A 400/401 tries the other once,
       * and the one an origin took is used there next.
       */
      firstKnock: z
        .enum(["draft-cavage-http-signatures-12", "rfc9421"])
        .default("draft-cavage-http-signatures-12"),
    })
    .prefault({}),
  /** Replies, likes and boosts of the site's posts (ActivityPub), and the owner's moderation. */
  interactions: z
    .strictObject({
      /**
       * Which new replies show on the post pages without the owner's approval: "none"
       * (default: every reply waits on the status page), "followed" (replies from accounts
       * the site follows), "all". Likes and boosts are counts and never wait.
       */
      autoApprove: z.enum(["none", "followed", "all"]).default("none"),
      /** URL POSTed a JSON notification (`{"type":"reply-waiting", ...}`) when a reply waits. Default none. */
      notifyWebhook: absoluteHttpUrl.optional(),
      /**
       * Command run when a reply waits, as an argument list (no shell), with the reply as
       * JSON on its standard input, e.g. `["/usr/local/bin/mail-owner"]`. Default none.
       */
      notifyCommand: z.array(z.string().min(1)).min(1).optional(),
    })
    .prefault({}),
  /** Connections the HTTP server holds: so that a crowd of slow clients cannot deny service. */
  limits: z
    .strictObject({
      /** Open connections in total (default 1000); each holds a file descriptor. */
      maxConnections: z.number().int().min(1).default(1000),
      /**
       * Open connections from one client address, an IPv6 /64 counting as one (default 64;
       * 0 = no cap). Addresses `trustProxy` trusts are not capped: behind a reverse proxy
       * every connection comes from the proxy, so cap clients there.
       */
      connectionsPerAddress: z.number().int().min(0).default(64),
      /** A request's headers must arrive within this (default 10 s): 408 and closed otherwise. */
      headersTimeoutMs: z.number().int().min(100).default(10_000),
      /** The whole request, headers and body, must arrive within this (default 30 s). */
      requestTimeoutMs: z.number().int().min(100).default(30_000),
      /** An idle keep-alive connection is closed after this (default 5 s). */
      keepAliveTimeoutMs: z.number().int().min(0).default(5_000),
    })
    .refine((l) => l.requestTimeoutMs >= l.headersTimeoutMs, {
      message: "must not be shorter than limits.headersTimeoutMs",
      path: ["requestTimeoutMs"],
    })
    .prefault({}),
});

export type FileConfig = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema> & {
  /** Directory the config file was in; relative paths resolve against it. */
  baseDir: string;
  secrets: Secrets;
};

export interface Secrets {
  /** FEDERATION_HOOK_SECRET: HMAC key of the deploy hook. */
  hookSecret?: string;
  /** FEDERATION_OWNER_PASSWORD_HASH: from `eleventy-federation hash-password`. */
  ownerPasswordHash?: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): Secrets {
  const secrets: Secrets = {};
  if (env.FEDERATION_HOOK_SECRET) secrets.hookSecret = env.FEDERATION_HOOK_SECRET;
  if (env.FEDERATION_OWNER_PASSWORD_HASH)
    secrets.ownerPasswordHash = env.FEDERATION_OWNER_PASSWORD_HASH;
  return secrets;
}

/** Validates a parsed config; errors name each bad key and what it must be. */
export function parseConfig(
  raw: unknown,
  source: string,
  baseDir: string,
  secrets: Secrets,
): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems = configProblems(configSchema, result.error, raw)
      .map((p) => `  - ${p}`)
      .join("\n");
    throw new ConfigError(`eleventy-federation: invalid config ${source}:\n${problems}`);
  }
  const config = result.data;
  return {
    ...config,
    dataFile:
      config.dataFile === ":memory:" ? config.dataFile : path.resolve(baseDir, config.dataFile),
    manifest:
      config.manifest && !/^https?:\/\//i.test(config.manifest)
        ? path.resolve(baseDir, config.manifest)
        : config.manifest,
    baseDir,
    secrets,
  };
}

export async function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `eleventy-federation: cannot read config ${file} (${code ?? String(e)}). Pass --config <file>; the README lists the keys.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(
      `eleventy-federation: config ${file} is not valid JSON: ${(e as Error).message}`,
    );
  }
  return parseConfig(raw, file, path.dirname(path.resolve(file)), secretsFromEnv(env));
}
