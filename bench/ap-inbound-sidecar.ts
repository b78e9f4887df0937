/**
 * The measured server of bench/ap-inbound.ts, in its own process: the sidecar's app with
 * the ActivityPub wing (Express, Fedify's inbox, a JSON store in a temp folder), on
 * loopback, composed as the wing's tests compose it (test/helpers/ap-sidecar.ts) but with the
 * per-address inbox limit lifted: every request of the bench comes from 127.0.0.1. No
 * delivery worker runs. Prints `listening <port>`; the shared inbox is `/ap/inbox`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { activitypubWing } from "../sidecar/activitypub/wing.js";
import { createApp } from "../sidecar/app.js";
import { parseConfig } from "../sidecar/config.js";
import { createLogger } from "../sidecar/log.js";
import { ombWing } from "../sidecar/omb/wing.js";
import { composeSidecar } from "../sidecar/server.js";
import { openJsonStore } from "../sidecar/store/json/json-store.js";
import { testManifest, writeManifest } from "../test/helpers/receiver-manifest.js";

const dir = await mkdtemp(path.join(tmpdir(), "bench-ap-inbound-"));
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const manifest = path.join(dir, "manifest.json");
await writeManifest(manifest, testManifest(url, [1, 2, 3], { nickname: "ann" }));
const config = parseConfig(
  {
    siteUrl: url,
    publicUrl: url,
    manifest,
    dataFile: path.join(dir, "store.json"),
    allowPrivateNetworks: true,
    fsync: false,
    logLevel: "silent",
    inbound: { activitiesPerMinute: 100_000_000 },
  },
  "bench",
  dir,
  {},
);
const store = await openJsonStore(config.dataFile, { fsync: false });
const ctx = composeSidecar(config, store, createLogger("silent"), {
  wings: [ombWing, activitypubWing()],
});
server.on("request", createApp(ctx));
process.stdout.write(`listening ${new URL(url).port}\n`);
process.once("SIGTERM", async () => {
  server.closeAllConnections();
  server.close();
  for (const wing of ctx.wings.values()) wing.stop?.(ctx);
  await store.close();
  await ctx.closeClients();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
});
