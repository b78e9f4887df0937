/**
 * Fan-out: one new notice to 10,000 subscribers at 10,000 destinations (distinct postNotice
 * URLs `/r/<i>/postnotice`, served by 4 loopback receiver processes), through the real path:
 * sync (manifest file → outbound log) and the delivery worker (PreparedRequest signing, one
 * journal append per delivery, group-committed). In the same run, the same HTTP client sends
 * the same notice unsigned to the same URLs with the same concurrency: the baseline.
 *
 *   npm run bench:fanout [-- --destinations 10000 --rounds 5 --concurrency 64 --fsync both]
 *
 * `--fsync both` (default) measures without fsync (a SIGKILL is survived either way) and
 * then with the journal fsync'd (the product default: survives a power cut), and prints both. Each
 * round measures raw and signed back to back in alternating order; the ratio (signed
 * deliveries/s ÷ raw POSTs/s) is the median of the per-round ratios. The last line is
 * `ratio: N` for the last mode measured (with `both`, fsync on: the product default).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { OMB_SUCCESS_BODY } from "../protocol/omb/constants.js";
import { encodeForm } from "../protocol/omb/oauth.js";
import { parseConfig } from "../sidecar/config.js";
import { DeliveryWorker } from "../sidecar/delivery/worker.js";
import { createLogger } from "../sidecar/log.js";
import { HttpClient } from "../sidecar/net/client.js";
import { noticeParams } from "../sidecar/omb/transport/entry-params.js";
import { composeSidecar } from "../sidecar/server.js";
import { openStore } from "../sidecar/store/open.js";
import { syncOnce } from "../sidecar/sync/syncer.js";
import { testManifest, testNotice, writeManifest } from "../test/helpers/receiver-manifest.js";
import { clamp, fmt, fsyncModes, median, out, withinMs } from "./cli.js";
import { receiverFollower, saveFollowers } from "./followers.js";
import { startServer } from "./processes.js";

const { values } = parseArgs({
  options: {
    destinations: { type: "string", default: "10000" },
    rounds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "64" },
    receivers: { type: "string", default: "4" },
    fsync: { type: "string", default: "both" },
  },
});
const DESTINATIONS = clamp(values.destinations, 100, 50_000);
const ROUNDS = clamp(values.rounds, 1, 10);
const CONCURRENCY = clamp(values.concurrency, 1, 512);
const RECEIVERS = clamp(values.receivers, 1, 16);
const MODES = fsyncModes(values.fsync);
/** No phase may take longer than this. */
const PHASE_LIMIT_MS = 180_000;
const SITE = "https://blog.example/";

/** `p`, or an error once it took longer than a phase may. */
const within = <T>(what: string, p: Promise<T>) => withinMs(what, p, PHASE_LIMIT_MS);

interface ModeResult {
  raw: number;
  signed: number;
  ratio: number;
  writesPerDelivery: number;
}

/** One full measurement on a fresh store: seed, first sync, warm-up, then the rounds. */
async function measure(
  fsync: boolean,
  urls: string[],
  receiverUrls: string[],
  http: HttpClient,
): Promise<ModeResult> {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-fanout-"));
  const dataFile = path.join(dir, "store.json");
  const manifestFile = path.join(dir, "manifest.json");
  const config = parseConfig(
    {
      siteUrl: SITE,
      publicUrl: SITE,
      dataFile,
      manifest: manifestFile,
      allowPrivateNetworks: true,
      fsync,
      delivery: { concurrency: CONCURRENCY },
    },
    "bench",
    dir,
    {},
  );
  const store = await openStore(dataFile, { fsync });
  try {
    await saveFollowers(store, urls.length, (i) => receiverFollower(i, receiverUrls));
    const deps = composeSidecar(config, store, createLogger("warn"), { http });
    await writeManifest(manifestFile, testManifest(SITE, [0]));
    await syncOnce(deps, "bench"); // the first sync: archive only

    const rawBody = encodeForm(noticeParams(SITE, testNotice(SITE, 0)));
    const raw = async (): Promise<number> => {
      let next = 0;
      let ok = 0;
      const t0 = performance.now();
      const lane = async () => {
        while (next < urls.length) {
          const url = urls[next++] as string;
          const res = await http.postForm(url, rawBody);
          if (res.status === 200 && res.body.includes(OMB_SUCCESS_BODY)) ok++;
        }
      };
      await within("raw POSTs", Promise.all(Array.from({ length: CONCURRENCY }, lane)));
      if (ok !== urls.length) throw new Error(`raw: ${ok} of ${urls.length} answered 200`);
      return urls.length / ((performance.now() - t0) / 1000);
    };
    let writes = 0;
    let delivered = 0;
    const signed = async (post: number): Promise<number> => {
      await writeManifest(manifestFile, testManifest(SITE, [0, post]));
      const w0 = store.stats.writes;
      const t0 = performance.now();
      const result = await syncOnce(deps, "bench");
      if (result.newNotices !== 1) throw new Error(`sync found ${result.newNotices} new notices`);
      const counts = await within("signed fan-out", new DeliveryWorker(deps).drain());
      const seconds = (performance.now() - t0) / 1000;
      if (counts.delivered !== urls.length)
        throw new Error(`signed: ${counts.delivered} of ${urls.length} delivered`);
      writes += store.stats.writes - w0;
      delivered += counts.delivered;
      return counts.delivered / seconds;
    };

    out(`fsync ${fsync ? "on" : "off"}:`);
    // Warm-up of both paths (connections opened, JIT warm), not counted.
    await raw();
    await signed(1);
    writes = 0;
    delivered = 0;
    const raws: number[] = [];
    const signeds: number[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Back to back, in alternating order, so that load from elsewhere on the machine
      // falls on both alike; the ratio is taken per round.
      let r = 0;
      let s = 0;
      if (round % 2 === 1) {
        r = await raw();
        s = await signed(round + 1);
      } else {
        s = await signed(round + 1);
        r = await raw();
      }
      raws.push(r);
      signeds.push(s);
      ratios.push(s / r);
      out(
        `  round ${round}: raw ${fmt(r)} POST/s, signed ${fmt(s)} deliveries/s (${(s / r).toFixed(2)})`,
      );
    }
    const result = {
      raw: median(raws),
      signed: median(signeds),
      ratio: median(ratios),
      writesPerDelivery: writes / delivered,
    };
    out(`  raw unsigned POSTs (same client, same concurrency): ${fmt(result.raw)}/s (median)`);
    out(`  signed deliveries (sync + worker + store): ${fmt(result.signed)}/s (median)`);
    out(
      `  store writes per delivered notice: ${result.writesPerDelivery.toFixed(4)} (${fmt(writes)} journal writes for ${fmt(delivered)} deliveries, group-committed)`,
    );
    out(`  ratio with fsync ${fsync ? "on" : "off"}: ${result.ratio.toFixed(2)}`);
    return result;
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const receivers = await Promise.all(
    Array.from({ length: RECEIVERS }, () => startServer("fanout-receiver.ts", "receiver")),
  );
  const http = new HttpClient({ allowPrivateNetworks: true, connections: CONCURRENCY });
  try {
    const receiverUrls = receivers.map((r) => r.url);
    const urls = Array.from(
      { length: DESTINATIONS },
      (_, i) => `${receiverUrls[i % RECEIVERS]}/r/${i}/postnotice`,
    );
    out(
      `fan-out: ${fmt(DESTINATIONS)} subscribers at ${fmt(DESTINATIONS)} destinations on ${RECEIVERS} loopback receiver processes, concurrency ${CONCURRENCY}, ${ROUNDS} rounds`,
    );
    let last: ModeResult | undefined;
    for (const fsync of MODES) last = await measure(fsync, urls, receiverUrls, http);
    const stats = await Promise.all(
      receivers.map(
        async (r) => (await (await fetch(`${r.url}/_stats`)).json()) as Record<string, number>,
      ),
    );
    const checked = stats.reduce((a, s) => a + (s.checked ?? 0), 0);
    const invalid = stats.reduce((a, s) => a + (s.invalid ?? 0), 0);
    if (invalid > 0) throw new Error(`${invalid} of ${checked} sampled signatures were invalid`);
    out(`receivers verified ${checked} sampled signatures: all valid`);
    out(`ratio: ${(last?.ratio ?? 0).toFixed(2)}`);
  } finally {
    await http.close();
    await Promise.all(receivers.map((r) => r.stop()));
  }
}

await main();
