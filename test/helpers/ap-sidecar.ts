/**
 * An in-process sidecar with the ActivityPub wing on loopback, for the wing's tests: a
 * manifest file, a JSON store in a temp folder (kept across `restart()`), real HTTP.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Manifest } from "../../contract/manifest.js";
import { activitypubWing, apRuntime } from "../../sidecar/activitypub/wing.js";
import { createApp } from "../../sidecar/app.js";
import { type Config, type FileConfig, parseConfig } from "../../sidecar/config.js";
import type { Context } from "../../sidecar/context.js";
import type { Transport } from "../../sidecar/delivery/transport.js";
import { createLogger } from "../../sidecar/log.js";
import { ombWing } from "../../sidecar/omb/wing.js";
import { composeSidecar } from "../../sidecar/server.js";
import { openJsonStore } from "../../sidecar/store/json/json-store.js";
import { testManifest, writeManifest } from "./receiver-manifest.js";

/**
 * The wing's tests are about identity and follows, not posts: this transport carries no
 * entry (the outbound helper's transport has its own tests).
 */
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
  /** Closes and opens again on the same store and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startApSidecar(
  activitypub: FileConfig["activitypub"] = {},
  opts: { nickname?: string; siteUrl?: string } = {},
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
      activitypub,
    },
    "test",
    dir,
    {},
  );
  let running: { ctx: Context & { closeClients(): Promise<void> } } | undefined;
  const open = async () => {
    const store = await openJsonStore(config.dataFile, { fsync: false });
    const ctx = composeSidecar(config, store, createLogger("silent"), {
      wings: [ombWing, activitypubWing(() => noPosts)],
    });
    const app = createApp(ctx);
    server.removeAllListeners("request");
    server.on("request", app);
    running = { ctx };
  };
  const shut = async () => {
    if (!running) return;
    const { ctx } = running;
    running = undefined;
    apRuntime(ctx)?.replies.stop();
    await ctx.store.close();
    await ctx.closeClients();
  };
  await open();
  return {
    url,
    config,
    manifest,
    get ctx() {
      if (!running) throw new Error("the test sidecar is closed");
      return running.ctx;
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
