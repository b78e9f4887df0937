/** The composition root: builds the store, clients, wings, worker, syncer and routes, and runs them. */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MANIFEST_PATH } from "../contract/manifest.js";
import { activitypubWing } from "./activitypub/wing.js";
import { createApp } from "./app.js";
import { OwnerSessions } from "./auth/session.js";
import type { Config } from "./config.js";
import { type Context, createHttp, createSiteHttp } from "./context.js";
import { Transports } from "./delivery/transport.js";
import { DeliveryWorker } from "./delivery/worker.js";
import { createEvents } from "./events.js";
import { followingCommands } from "./following/unfollow.js";
import { startInboxSync } from "./inbox/sync.js";
import { moderationCommands } from "./interactions/commands.js";
import { startReplyNotifier } from "./interactions/reply-notifier.js";
import { createLogger, type Logger } from "./log.js";
import type { HttpClient } from "./net/client.js";
import { ombWing } from "./omb/wing.js";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, InFlightRequests, shutDown } from "./shutdown.js";
import { checkDataOutsideSite } from "./site-dir-check.js";
import { openConfiguredStore } from "./store/open.js";
import type { Store } from "./store/store.js";
import { HookCommands } from "./sync/hook-commands.js";
import { coreCommands } from "./sync/hook-routes.js";
import { checkPollSchedule, startPoller } from "./sync/poller.js";
import { SiteProfileSource } from "./sync/site-profile.js";
import { Syncer } from "./sync/syncer.js";
import { createLimitedServer } from "./web/connection-limits.js";
import type { Wing } from "./wing.js";

/** The protocols this sidecar speaks: one line per wing (ActivityPub unless switched off). */
export function configuredWings(config: Config): readonly Wing[] {
  return config.activitypub.enabled ? [ombWing, activitypubWing()] : [ombWing];
}

/** The sidecar could not listen where its config says: the message says why and what to do. */
export class ListenError extends Error {
  override name = "ListenError";
}

export interface StartOptions {
  siteDir?: string;
  log?: Logger;
  /**
   * How long `close()` waits for requests in flight and background work (a sync, the
   * delivery worker's pushes) before it closes their connections. Default 10 s.
   */
  shutdownTimeoutMs?: number;
}

export interface RunningSidecar {
  ctx: Context;
  server: Server;
  /** The address actually listened on, e.g. http://127.0.0.1:8080/ */
  url: string;
  /**
   * Shuts down in order: no new requests (503), requests in flight and background work
   * finish (at most `shutdownTimeoutMs`), the store is flushed and closed, then every
   * connection left (half-sent requests, idle keep-alive ones) is closed.
   */
  close(): Promise<void>;
}

/**
 * Every shared piece of a sidecar around an open store: what `startSidecar` runs, and what
 * tests and the CLI use without a server. `close` releases the HTTP clients (not the store).
 */
export function composeSidecar(
  config: Config,
  store: Store,
  log: Logger,
  opts: { wings?: readonly Wing[]; http?: HttpClient } = {},
): Context & { closeClients(): Promise<void> } {
  const wings = opts.wings ?? configuredWings(config);
  const http = opts.http ?? createHttp(config);
  const siteHttp = createSiteHttp();
  const events = createEvents();
  const core = { config, store, http, log, events };
  const transports = new Transports(wings.map((w) => w.transport(core)));
  const commands = moderationCommands(followingCommands(coreCommands(new HookCommands())));
  for (const w of wings) w.commands?.(commands);
  return {
    ...core,
    siteHttp,
    transports,
    commands,
    syncer: new Syncer({ config, store, siteHttp, log, events, transports }),
    owner: new OwnerSessions(store, config),
    siteProfile: new SiteProfileSource({ config, store, siteHttp, log }),
    wings: new Map(wings.map((w) => [w.protocol, w])),
    async closeClients() {
      await http.close();
      await siteHttp.close();
    },
  };
}

/** Opens the store, starts the HTTP service and the background work; `close` stops all. */
export async function startSidecar(
  config: Config,
  opts: StartOptions = {},
): Promise<RunningSidecar> {
  const log = opts.log ?? createLogger(config.logLevel);
  checkPollSchedule(config.poll.schedule);
  const postgres = config.store.kind === "postgres";
  if (opts.siteDir && !postgres) await checkDataOutsideSite(config.dataFile, opts.siteDir);
  const store = await openConfiguredStore(config, {
    onBackgroundError: (err) =>
      postgres
        ? log.error(
            { err },
            "PostgreSQL store: a pooled connection or a compaction failed; the next query reconnects, the next compaction retries",
          )
        : log.error(
            { err, dataFile: config.dataFile },
            "store compaction failed (disk full?); the journal keeps every change, the next compaction retries",
          ),
  });
  const ctx = composeSidecar(config, store, log);
  // Before listening: a build started when the sidecar answers reads a complete inbox.json.
  const inboxSync = await startInboxSync(ctx);
  const stopReplyNotifier = startReplyNotifier(ctx);
  const app = createApp(ctx, { siteDir: opts.siteDir });
  let closing: Promise<void> | null = null;
  // Once shutting down, a request that arrives (on a kept-alive connection, or whose headers
  // end now) is turned away: nothing new starts on a store about to close.
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (!closing) return app(req, res);
    res.writeHead(503, { connection: "close", "retry-after": "5", "content-type": "text/plain" });
    res.end("The sidecar is shutting down; try again in a moment.\n");
  };
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const trusted = app.get("trust proxy fn") as (addr: string, hop: number) => boolean;
      const s = createLimitedServer(listener, config.limits, {
        isTrustedProxy: (addr) => trusted(addr, 0),
        log,
      });
      s.once("error", reject);
      s.listen(config.port, config.host, () => resolve(s));
    });
  } catch (e) {
    stopReplyNotifier();
    await inboxSync.close();
    await store.close();
    await ctx.closeClients();
    const code = (e as NodeJS.ErrnoException).code;
    throw new ListenError(
      code === "EADDRINUSE"
        ? `eleventy-federation: port ${config.port} on ${config.host} is already in use. Stop what runs there or set "port" in the config.`
        : `eleventy-federation: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`,
    );
  }
  const requests = new InFlightRequests(server);
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  log.info(
    {
      url,
      siteUrl: config.siteUrl,
      publicUrl: config.publicUrl,
      store: config.store.kind,
      ...(postgres ? {} : { dataFile: config.dataFile }),
    },
    "sidecar listening",
  );
  if (!config.manifest) {
    log.warn(
      `no "manifest" in the config: nothing can be synced, so no post reaches a follower. Set it to the published manifest's URL (e.g. "${new URL(MANIFEST_PATH.slice(1), config.siteUrl).href}") or the built file's path, and restart.`,
    );
  }
  // Background work: resume every destination's deliveries, and poll the manifest if asked.
  const worker = new DeliveryWorker(ctx);
  worker.start();
  // Followers but no sync yet (an upgraded store, or a baseline that failed): take it now.
  const followers = Object.values(await store.countFollowers()).reduce((a, b) => a + b, 0);
  if (followers > 0 && !(await store.syncState()).initialized) {
    void ctx.syncer.baseline("start");
  }
  const poller = startPoller(ctx, ctx.syncer);

  const close = () => {
    closing ??= shutDown({
      server,
      requests,
      log,
      timeoutMs: opts.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
      stopBackground: async () => {
        await poller.stop();
        stopReplyNotifier();
        for (const wing of ctx.wings.values()) wing.stop?.(ctx);
        await ctx.syncer.idle();
        await worker.stop();
      },
      finishWrites: () => inboxSync.close(),
      closeStore: () => store.close(),
      closeClients: () => ctx.closeClients(),
    });
    return closing;
  };
  return { ctx, server, url, close };
}
