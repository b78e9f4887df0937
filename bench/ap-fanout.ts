/**
 * ActivityPub fan-out: one new post to 10,000 followers on 2,000 shared inboxes (20 loopback
 * origins × 100 inbox paths, in 4 receiver processes that answer 202 without verifying),
 * through the real path: the entry in the outbound log, the real renderer (Create, compacted
 * JSON-LD), the delivery worker's drain() and ApTransport (Fedify's signRequest, draft-cavage,
 * RSA-2048, one signature per inbox), one cursor write per delivery in a file store.
 *
 *   npm run bench:ap-fanout [-- --followers 10000 --inboxes 2000 --servers 20 --rounds 5]
 *   npm run bench:ap-fanout -- --quick          (1,000 followers, 200 inboxes, 2 rounds)
 *   npm run bench:ap-fanout -- --cpu-prof /tmp/p (a .cpuprofile of each measured fan-out only)
 *
 * The baseline, in the same run and round by round in alternating order: the RSA-signing
 * floor, one RSA-2048 signature per inbox over the same kind of cavage signing string, over
 * every core (bench/rsa-floor.ts: WebCrypto on the threadpool, and a worker-thread pool; the
 * faster is the floor). The ratio is fan-out wall time ÷ floor (median of the rounds; lower
 * is better, target ≤ 1.25). The last lines: a JSON line of the results, then `ratio: N`.
 */
import { createHash, webcrypto } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { actorKeyPair } from "../sidecar/activitypub/actor-key.js";
import { activityRenderer } from "../sidecar/activitypub/outbound/render.js";
import { ApTransport } from "../sidecar/activitypub/outbound/transport.js";
import { parseConfig } from "../sidecar/config.js";
import { Transports } from "../sidecar/delivery/transport.js";
import { type DeliveryCounts, DeliveryWorker } from "../sidecar/delivery/worker.js";
import { createEvents } from "../sidecar/events.js";
import { createLogger } from "../sidecar/log.js";
import { HttpClient } from "../sidecar/net/client.js";
import { openStore } from "../sidecar/store/open.js";
import type { ApFollower, ManifestNotice } from "../sidecar/store/types.js";
import { recordSync } from "../test/helpers/fixtures.js";
import { testManifest } from "../test/helpers/receiver-manifest.js";
import { clamp, fmt, median, out, withinMs } from "./cli.js";
import { saveFollowers } from "./followers.js";
import { cpuSeconds, type ServerProcess, startServer } from "./processes.js";
import { cavageSigningString, rsaFloor } from "./rsa-floor.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    followers: { type: "string" },
    inboxes: { type: "string" },
    servers: { type: "string", default: "20" },
    receivers: { type: "string", default: "4" },
    rounds: { type: "string" },
    concurrency: { type: "string", default: "64" },
    fsync: { type: "string", default: "on" },
    "cpu-prof": { type: "string" },
  },
});
const QUICK = values.quick;
const INBOXES = clamp(values.inboxes ?? (QUICK ? "200" : "2000"), 1, 20_000);
const FOLLOWERS = Math.max(INBOXES, clamp(values.followers ?? String(INBOXES * 5), 1, 100_000));
const SERVERS = Math.min(INBOXES, clamp(values.servers, 1, 64));
const RECEIVERS = Math.min(SERVERS, clamp(values.receivers, 1, 8));
const ROUNDS = clamp(values.rounds ?? (QUICK ? "2" : "5"), 1, 10);
const CONCURRENCY = clamp(values.concurrency, 1, 512);
const FSYNC = values.fsync !== "off";
const PROFILE_DIR = values["cpu-prof"];
/** No phase may take longer than this. */
const PHASE_LIMIT_MS = 180_000;
const SITE = "https://blog.example/";
const PUBLIC_URL = "https://fed.blog.example/";

/** `p`, or an error once it took longer than a phase may. */
const within = <T>(what: string, p: Promise<T>) => withinMs(what, p, PHASE_LIMIT_MS);

/** A post of a realistic size: title, a few paragraphs of HTML, tags. */
function post(i: number): ManifestNotice {
  const para = `<p>Paragraph about federation &amp; static sites, with <a href="${SITE}posts/">a link</a> and <em>some</em> <strong>markup</strong>. Ünïcödé too.</p>`;
  return {
    uri: `${SITE}posts/${i}/`,
    url: `${SITE}posts/${i}/`,
    title: `Post number ${i}`,
    content: `Post number ${i}: a summary of what it says`,
    html: para.repeat(8),
    summary: "A summary of what it says",
    tags: ["federation", "eleventy", "activitypub"],
    language: "en",
    published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    license: "https://creativecommons.org/licenses/by/4.0/",
  };
}

/** Follower i receives at shared inbox i % INBOXES, on origin (shared inbox) % SERVERS. */
function follower(i: number, origins: string[]): ApFollower {
  const shared = i % INBOXES;
  const origin = origins[shared % origins.length] ?? "";
  const id = `${origin}/users/u${i}`;
  return {
    protocol: "activitypub",
    id,
    profile: { id, name: `U${i}`, url: `${origin}/@u${i}` },
    credentials: {
      inbox: `${id}/inbox`,
      sharedInbox: `${origin}/inbox/${shared}`,
      followId: `${origin}/follows/${i}`,
    },
    since: new Date(Date.UTC(2024, 0, 1)).toISOString(),
  };
}

async function startReceivers(
  publicJwk: object,
): Promise<{ procs: ServerProcess[]; origins: string[] }> {
  process.env.AP_BENCH_PUBLIC_JWK = JSON.stringify(publicJwk);
  const procs: ServerProcess[] = [];
  for (let r = 0; r < RECEIVERS; r++) {
    // SERVERS ports split over RECEIVERS processes (the first ones take the remainder).
    const ports = Math.floor(SERVERS / RECEIVERS) + (r < SERVERS % RECEIVERS ? 1 : 0);
    process.env.AP_BENCH_PORTS = String(ports);
    procs.push(await startServer("ap-fanout-receiver.ts", `receiver ${r}`));
  }
  const origins: string[] = [];
  for (const p of procs) {
    const ports = (await (await fetch(`${p.url}/_ports`)).json()) as number[];
    for (const port of ports) origins.push(`http://127.0.0.1:${port}`);
  }
  return { procs, origins };
}

async function receiverStats(procs: ServerProcess[]) {
  const all = await Promise.all(
    procs.map(
      async (p) =>
        (await (await fetch(`${p.url}/_stats`)).json()) as Record<string, number | string>,
    ),
  );
  const sum = (k: string) => all.reduce((a, s) => a + Number(s[k] ?? 0), 0);
  const lastError = all.map((s) => s.lastError).find((e) => e) ?? "";
  return {
    requests: sum("requests"),
    signed: sum("signed"),
    checked: sum("checked"),
    invalid: sum("invalid"),
    lastError,
  };
}

/** Starts V8's CPU profiler; the function returned stops it and writes the profile. */
async function profileStart(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async (file) => {
    const { profile } = await session.post("Profiler.stop");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

interface Round {
  fanoutMs: number;
  floorMs: number;
  threadpoolMs: number;
  workersMs: number;
  rawMs: number;
  /** CPU ms of this process (main thread, threadpool) and of all receivers during the fan-out. */
  senderCpuMs: number;
  receiverCpuMs: number;
}

/** Wall ms of `f`, with the CPU ms this process and the receivers used meanwhile. */
async function timed(procs: ServerProcess[], f: () => Promise<void>) {
  const receiverCpu = async () => {
    const all = await Promise.all(procs.map((p) => cpuSeconds(p.pid)));
    return all.reduce<number>((a, s) => a + (s ?? 0), 0) * 1000;
  };
  const r0 = await receiverCpu();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, senderCpuMs: (c.user + c.system) / 1000, receiverCpuMs: (await receiverCpu()) - r0 };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-ap-fanout-"));
  const dataFile = path.join(dir, "store.json");
  const config = parseConfig(
    {
      siteUrl: SITE,
      publicUrl: PUBLIC_URL,
      dataFile,
      allowPrivateNetworks: true,
      fsync: FSYNC,
      delivery: { concurrency: CONCURRENCY },
    },
    "bench",
    dir,
    {},
  );
  const store = await openStore(dataFile, { fsync: FSYNC });
  const pair = await actorKeyPair(store);
  const { subtle } = webcrypto;
  const { procs, origins } = await startReceivers(await subtle.exportKey("jwk", pair.publicKey));
  const floor = await rsaFloor(await subtle.exportKey("jwk", pair.privateKey));
  const http = new HttpClient({ allowPrivateNetworks: true });
  try {
    out(
      `ActivityPub fan-out: ${fmt(FOLLOWERS)} followers on ${fmt(INBOXES)} shared inboxes at ${origins.length} loopback origins (${procs.length} receiver processes, 202 unverified), concurrency ${CONCURRENCY}, fsync ${FSYNC ? "on" : "off"}, ${ROUNDS} rounds`,
    );
    await saveFollowers(store, FOLLOWERS, (i) => follower(i, origins));
    const destinations = (await store.destinations()).filter((d) => d.protocol === "activitypub");
    if (destinations.length !== INBOXES) {
      throw new Error(`${destinations.length} destinations for ${INBOXES} shared inboxes`);
    }
    const { profile } = testManifest(SITE, []);
    await recordSync(store, [], [], { initialized: true, profile });
    const deps = { config, store, http, log: createLogger("warn"), events: createEvents() };
    const transport = new ApTransport(deps, { render: activityRenderer(deps) });
    const transports = new Transports([transport]);
    let seq = 0;

    const fanout = async (profiled = false) => {
      seq++;
      const stopProfile = profiled && PROFILE_DIR ? await profileStart() : undefined;
      let counts: DeliveryCounts | undefined;
      const t = await timed(procs, async () => {
        await recordSync(store, [{ kind: "notice", notice: post(seq) }], [], {
          initialized: true,
          profile,
        });
        counts = await within("fan-out", new DeliveryWorker({ ...deps, transports }).drain());
      });
      if (stopProfile) {
        await stopProfile(path.join(PROFILE_DIR ?? "", `ap-fanout-${seq}.cpuprofile`));
      }
      if (counts?.delivered !== INBOXES) {
        throw new Error(
          `fan-out: ${counts?.delivered} of ${INBOXES} delivered (${JSON.stringify(counts)})`,
        );
      }
      return t;
    };
    // Not the baseline, a reference: the same body POSTed unsigned to every inbox by the same
    // client at the same concurrency (what HTTP alone costs here, receivers included).
    const raw = async () => {
      const [entry] = await store.outboundAfter((await store.headSeq()) - 1, 1);
      if (!entry) throw new Error("no entry to send raw");
      const body = await activityRenderer(deps)(entry, profile.nickname);
      let next = 0;
      let ok = 0;
      const lane = async () => {
        while (next < destinations.length) {
          const url = destinations[next++]?.url ?? "";
          if ((await http.post(url, body, "application/activity+json")).status === 202) ok++;
        }
      };
      const t = await timed(procs, () =>
        within(
          "raw POSTs",
          Promise.all(Array.from({ length: CONCURRENCY }, lane)).then(() => undefined),
        ),
      );
      if (ok !== destinations.length)
        throw new Error(`raw: ${ok} of ${destinations.length} answered 202`);
      return t.ms;
    };
    // The floor signs what the fan-out signs: one cavage string per inbox, this round's date
    // (the Digest line has the same length whatever the body).
    const messages = () => {
      const body = JSON.stringify(post(seq));
      const digest = `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
      const date = new Date().toUTCString();
      return destinations.map((d) => cavageSigningString(d.url, digest, date));
    };
    const floorOnce = async () => {
      const m = messages();
      const threadpoolMs = await within("floor (threadpool)", floor.threadpool(m));
      const workersMs = await within("floor (workers)", floor.workers(m));
      return { threadpoolMs, workersMs, floorMs: Math.min(threadpoolMs, workersMs) };
    };

    // Warm-up of all three (connections opened, JIT warm, the key imported), not counted.
    await fanout();
    await raw();
    await floorOnce();

    const rounds: Round[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Back to back, in alternating order, so that load from elsewhere falls on both alike.
      let f: Awaited<ReturnType<typeof floorOnce>>;
      let fo: Awaited<ReturnType<typeof fanout>>;
      let rawMs: number;
      if (round % 2 === 1) {
        f = await floorOnce();
        rawMs = await raw();
        fo = await fanout(true);
      } else {
        fo = await fanout(true);
        rawMs = await raw();
        f = await floorOnce();
      }
      const r: Round = {
        fanoutMs: fo.ms,
        senderCpuMs: fo.senderCpuMs,
        receiverCpuMs: fo.receiverCpuMs,
        rawMs,
        ...f,
      };
      rounds.push(r);
      out(
        `  round ${round}: fan-out ${fmt(r.fanoutMs)} ms (${fmt((INBOXES / r.fanoutMs) * 1000)} deliveries/s; CPU: sender ${fmt(r.senderCpuMs)} ms, receivers ${fmt(r.receiverCpuMs)} ms); floor ${fmt(r.floorMs)} ms (threadpool ${fmt(r.threadpoolMs)}, workers ${fmt(r.workersMs)}); raw unsigned POSTs ${fmt(rawMs)} ms; ratio ${(r.fanoutMs / r.floorMs).toFixed(2)}`,
      );
    }
    const stats = await receiverStats(procs);
    const expected = INBOXES * (ROUNDS + 1); // the warm-up and the rounds; raw POSTs are unsigned
    if (stats.signed !== expected)
      throw new Error(`receivers got ${stats.signed} signed POSTs, expected ${expected}`);
    if (stats.invalid > 0) {
      throw new Error(
        `${stats.invalid} of ${stats.checked} sampled signatures were invalid: ${stats.lastError}`,
      );
    }
    const ratio = median(rounds.map((r) => r.fanoutMs / r.floorMs));
    const result = {
      bench: "ap-fanout",
      followers: FOLLOWERS,
      inboxes: INBOXES,
      origins: origins.length,
      concurrency: CONCURRENCY,
      fsync: FSYNC,
      rounds: ROUNDS,
      fanoutMs: Math.round(median(rounds.map((r) => r.fanoutMs))),
      floorMs: Math.round(median(rounds.map((r) => r.floorMs))),
      threadpoolMs: Math.round(median(rounds.map((r) => r.threadpoolMs))),
      workersMs: Math.round(median(rounds.map((r) => r.workersMs))),
      rawMs: Math.round(median(rounds.map((r) => r.rawMs))),
      senderCpuMs: Math.round(median(rounds.map((r) => r.senderCpuMs))),
      receiverCpuMs: Math.round(median(rounds.map((r) => r.receiverCpuMs))),
      floorWorkers: floor.workerCount,
      deliveriesPerSecond: Math.round(median(rounds.map((r) => (INBOXES / r.fanoutMs) * 1000))),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      sampledSignaturesValid: stats.checked,
      ratio: Number(ratio.toFixed(2)),
    };
    out(
      `fan-out ${fmt(result.fanoutMs)} ms for ${fmt(INBOXES)} inboxes (${fmt(result.deliveriesPerSecond)} deliveries/s), RSA floor ${fmt(result.floorMs)} ms (median); peak RSS ${result.peakRssMb} MB; receivers verified ${stats.checked} sampled signatures: all valid`,
    );
    out(JSON.stringify(result));
    out(`ratio: ${result.ratio.toFixed(2)}`);
  } finally {
    await floor.close();
    await http.close();
    await Promise.all(procs.map((p) => p.stop()));
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
