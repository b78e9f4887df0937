/**
 * An in-process sidecar with the ActivityPub wing on loopback, for the wing's tests: a
 * manifest file, a JSON store in a temp folder (kept across `restart()`; a database in a
 * run on PostgreSQL, test-store.ts), real HTTP.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Manifest } from "../../contract/manifest.js";
import { activitypubWing } from "../../sidecar/activitypub/wing.js";
import { createApp } from "../../sidecar/app.js";
import { type Config, type FileConfig, parseConfig, type Secrets } from "../../sidecar/config.js";
import type { Context } from "../../sidecar/context.js";
import type { Transport } from "../../sidecar/delivery/transport.js";
import { DeliveryWorker } from "../../sidecar/delivery/worker.js";
import { createLogger } from "../../sidecar/log.js";
import { ombWing } from "../../sidecar/omb/wing.js";
import { composeSidecar } from "../../sidecar/server.js";
import { openJsonStore } from "../../sidecar/store/json/json-store.js";
import { openPostgresStore } from "../../sidecar/store/postgres/pg-store.js";
import type { SyncResult } from "../../sidecar/sync/syncer.js";
import { testManifest, writeManifest } from "./receiver-manifest.js";
import { testDatabase } from "./test-store.js";

/** For tests about identity and follows only: a transport that carries no entry. */
const noPosts: Transport = {
  protocol: "activitypub",
  verdict: () => "skip",
  send: async () => ({ kind: "unsendable", error: "test sidecar: posts are not sent" }),
};

export interface ApSidecar {
  url: string;
  ctx: Context;
  config: Config;
  manifest: Manifest;
  /** Writes `m` as the site's manifest and syncs it (the worker delivers what it appended). */
  publish(m: Manifest): Promise<SyncResult>;
  /** Resolves when the delivery worker has nothing left to send now. */
  delivered(): Promise<void>;
  /** Closes and opens again on the same store and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startApSidecar(
  activitypub: FileConfig["activitypub"] = {},
  opts: {
    nickname?: string;
    siteUrl?: string;
    /** Send posts through the real transport and a running delivery worker (default false). */
    posts?: boolean;
    /** The sidecar's secrets (e.g. the owner's password hash, for the owner's pages). */
    secrets?: Secrets;
    /** More config keys (e.g. `interactions`). */
    config?: Partial<FileConfig>;
  } = {},
): Promise<ApSidecar> {
  const dir = await mkdtemp(path.join(tmpdir(), "ef-ap-"));
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const manifestFile = path.join(dir, "manifest.json");
  const siteUrl = opts.siteUrl ?? url;
  const manifest = testManifest(siteUrl, [1, 2, 3], {
    nickname: opts.nickname ?? "ann",
    bio: "Writes <things>.\n\nSecond paragraph.",
    avatar: `${siteUrl}avatar.png`,
    homepage: "https://home.example/ann",
  });
  await writeManifest(manifestFile, manifest);
  const config = parseConfig(
    {
      siteUrl,
      publicUrl: url,
      manifest: manifestFile,
      dataFile: path.join(dir, "store.json"),
      allowPrivateNetworks: true,
      fsync: false,
      logLevel: "silent",
      ...opts.config,
      activitypub,
    },
    "test",
    dir,
    opts.secrets ?? {},
  );
  let running:
    | { ctx: Context & { closeClients(): Promise<void> }; worker?: DeliveryWorker }
    | undefined;
  // (a run on PostgreSQL gives it a database of its own: test-store.ts)
  const database = await testDatabase(config.dataFile);
  const open = async () => {
    const store = database
      ? await openPostgresStore(database)
      : await openJsonStore(config.dataFile, { fsync: false });
    const ctx = composeSidecar(config, store, createLogger("silent"), {
      wings: [ombWing, opts.posts ? activitypubWing() : activitypubWing(() => noPosts)],
    });
    const app = createApp(ctx);
    server.removeAllListeners("request");
    server.on("request", app);
    running = { ctx };
    if (opts.posts) {
      running.worker = new DeliveryWorker(ctx);
      running.worker.start();
    }
  };
  const current = () => {
    if (!running) throw new Error("the test sidecar is closed");
    return running;
  };
  const shut = async () => {
    if (!running) return;
    const { ctx, worker } = running;
    running = undefined;
    await worker?.stop();
    for (const wing of ctx.wings.values()) wing.stop?.(ctx);
    await ctx.store.close();
    await ctx.closeClients();
  };
  await open();
  return {
    url,
    config,
    manifest,
    get ctx() {
      return current().ctx;
    },
    async publish(m) {
      await writeManifest(manifestFile, m);
      return current().ctx.syncer.run("test");
    },
    async delivered() {
      await current().ctx.syncer.idle();
      await current().worker?.idle();
    },
    async restart() {
      await shut();
      await open();
    },
    async close() {
      await shut();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
