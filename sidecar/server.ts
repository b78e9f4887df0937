import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "./app.js";
import type { Config } from "./config.js";
import { type Context, createEvents, createHttp, createSiteHttp } from "./context.js";
import { DeliveryWorker } from "./delivery/worker.js";
import { startInboxSync } from "./inbox/sync.js";
import { createLogger, type Logger } from "./log.js";
import { Store } from "./store/store.js";
import { checkPollSchedule, startPoller } from "./sync/poller.js";
import { syncerFor } from "./sync/syncer.js";

/** The sidecar could not listen where its config says: the message says why and what to do. */
export class ListenError extends Error {
  override name = "ListenError";
}

export interface StartOptions {
  siteDir?: string;
  log?: Logger;
}

export interface RunningSidecar {
  ctx: Context;
  server: Server;
  /** The address actually listened on, e.g. http://127.0.0.1:8080/ */
  url: string;
  close(): Promise<void>;
}

/** Opens the store, starts the HTTP service and the background work; `close` stops all. */
export async function startSidecar(
  config: Config,
  opts: StartOptions = {},
): Promise<RunningSidecar> {
  const log = opts.log ?? createLogger(config.logLevel);
  checkPollSchedule(config.poll.schedule);
  const store = await Store.open(config.dataFile, {
    fsync: config.fsync,
    onBackgroundError: (err) =>
      log.error(
        { err, dataFile: config.dataFile },
        "store compaction failed (disk full?); the journal keeps every change, the next compaction retries",
      ),
  });
  const http = createHttp(config);
  const siteHttp = createSiteHttp();
  const ctx: Context = { config, store, http, siteHttp, log, events: createEvents() };
  const app = createApp(ctx, { siteDir: opts.siteDir });
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, (err?: Error) =>
        err ? reject(err) : resolve(s),
      );
      s.once("error", reject);
    });
  } catch (e) {
    await store.close();
    await http.close();
    await siteHttp.close();
    const code = (e as NodeJS.ErrnoException).code;
    throw new ListenError(
      code === "EADDRINUSE"
        ? `eleventy-federation: port ${config.port} on ${config.host} is already in use. Stop what runs there or set "port" in the config.`
        : `eleventy-federation: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`,
    );
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  log.info(
    { url, siteUrl: config.siteUrl, publicUrl: config.publicUrl, dataFile: config.dataFile },
    "sidecar listening",
  );
  // Background work: resume every destination's deliveries, and poll the manifest if asked.
  const worker = new DeliveryWorker(ctx);
  worker.start();
  const poller = startPoller(ctx, syncerFor(ctx));
  const inboxSync = startInboxSync(ctx);

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await poller.stop();
      await syncerFor(ctx).idle();
      await worker.stop();
      await inboxSync.close();
      await http.close();
      await siteHttp.close();
      await store.close();
      log.info("sidecar stopped");
      log.flush();
    })();
    return closing;
  };
  return { ctx, server, url, close };
}
