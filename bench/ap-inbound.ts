/**
 * Inbound ActivityPub: how many signed activities per second the sidecar's shared inbox
 * verifies and accepts (202), against a bare Express 5 app that reads the same body and
 * answers 202, measured in the same run with the same client (undici, loopback, the same
 * connections, one request in flight on each).
 *
 *   npm run bench:ap-inbound [-- --seconds 10 --slice 2 --connections 32 --senders 16 --activity create]
 *   npm run bench:ap-inbound -- --quick          (2 s per server)
 *   npm run bench:ap-inbound -- --cpu-prof /tmp/p (both servers write a .cpuprofile there)
 *   npm run bench:ap-inbound -- --baseline verify (the baseline checks Digest and signature too)
 *
 * Both servers run in their own processes: the bare app (bench/ap-inbound-bare.ts) and a
 * sidecar with the ActivityPub wing (bench/ap-inbound-sidecar.ts), so each activity passes
 * the real path: the Express adapter, Fedify's inbox (JSON-LD parsing, draft-cavage
 * signature and Digest check with the sender's key, fetched once and then taken from
 * Fedify's kv cache, deduplication by activity id in the store) and our handlers.
 * `--activity create` (default) sends Create(Note) activities, which the wing takes and does
 * not keep; `follow` sends Follow and Undo(Follow) in turn (a follower stored, an Accept sent
 * back, then removed). Every activity has its own id, signed by one of `--senders` remote
 * actors BEFORE its slice starts; the bare app gets signed activities of the same kind.
 *
 * Slices are interleaved ABBA (bare, sidecar, sidecar, bare, …) so that load from elsewhere
 * falls on both alike; the ratio is the median of the per-pair ratios (target ≥ 0.6). Server
 * CPU time per request (from /proc) is printed too. The last lines: a JSON line of the
 * results, then `ratio: N`.
 */
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { type ActivityKind, type SignedActivity, startSenders } from "./ap-senders.js";
import { clamp, fmt, median, out } from "./cli.js";
import { startServer, withCpu } from "./processes.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    seconds: { type: "string" },
    slice: { type: "string" },
    connections: { type: "string", default: "32" },
    senders: { type: "string", default: "16" },
    activity: { type: "string", default: "create" },
    baseline: { type: "string", default: "bare" },
    "cpu-prof": { type: "string" },
  },
});
const QUICK = values.quick;
const SLICE = clamp(values.slice ?? (QUICK ? "1" : "2"), 1, 30);
/** Slices per server (at least two: one in each order). */
const SLICES = Math.max(
  2,
  Math.round(clamp(values.seconds ?? (QUICK ? "2" : "10"), 1, 120) / SLICE),
);
const CONNECTIONS = clamp(values.connections, 1, 256);
const SENDERS = clamp(values.senders, 1, 256);
const KIND: ActivityKind = values.activity === "follow" ? "follow" : "create";
/** `verify`: the baseline also checks Digest and signature (node:crypto, keys kept in memory). */
const VERIFY_BASELINE = values.baseline === "verify";
const WARMUP_SECONDS = 1;
/** Signed activities cycled through for the bare app (it neither verifies nor dedupes). */
const BARE_POOL = 512;
const PROFILE_ARGS = values["cpu-prof"]
  ? ["--cpu-prof", `--cpu-prof-dir=${values["cpu-prof"]}`]
  : [];
const INBOX = "/ap/inbox";

interface Slice {
  /** 202 answers per second. */
  rps: number;
  answered: number;
  /** Statuses other than 202, counted. */
  refused: Map<number, number>;
  cpuUs: number | null;
  p50: number;
  p99: number;
  /** True when the signed pool ran out before the slice's end (the rate is still right). */
  exhausted: boolean;
}

/**
 * POSTs `next()`'s activities to `origin` + INBOX over `connections` connections for at most
 * `seconds` (or until `next` has nothing left), one request in flight on each.
 */
async function load(
  pool: Pool,
  seconds: number,
  next: () => SignedActivity | undefined,
): Promise<Omit<Slice, "cpuUs">> {
  const refused = new Map<number, number>();
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let exhausted = false;
  let accepted = 0;
  const lane = async () => {
    while (performance.now() < deadline) {
      const a = next();
      if (!a) {
        exhausted = true;
        return;
      }
      const t0 = performance.now();
      const res = await pool.request({
        path: INBOX,
        method: "POST",
        headers: a.headers,
        body: a.body,
      });
      await res.body.dump();
      latencies.push(performance.now() - t0);
      if (res.statusCode === 202) accepted++;
      else refused.set(res.statusCode, (refused.get(res.statusCode) ?? 0) + 1);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))] ?? 0);
  return {
    rps: accepted / elapsed,
    answered: latencies.length,
    refused,
    p50: at(0.5),
    p99: at(0.99),
    exhausted,
  };
}

function summary(slices: Slice[], unit: string): string {
  const rate = slices.reduce((a, s) => a + s.rps, 0) / slices.length;
  const cpu = slices.every((s) => s.cpuUs !== null)
    ? median(slices.map((s) => s.cpuUs ?? 0))
    : null;
  return (
    `${fmt(rate)} ${unit} (${fmt(slices.reduce((a, s) => a + s.answered, 0))} requests; slices ${fmt(Math.min(...slices.map((s) => s.rps)))}–${fmt(Math.max(...slices.map((s) => s.rps)))}), ` +
    `latency p50 ${median(slices.map((s) => s.p50))} ms, p99 ${median(slices.map((s) => s.p99))} ms (slice medians), ` +
    `server ${cpu === null ? "n/a" : `${fmt(cpu)} µs`} CPU/request`
  );
}

async function main(): Promise<void> {
  const senders = await startSenders(SENDERS);
  if (VERIFY_BASELINE) process.env.AP_BENCH_VERIFY = "1";
  const bare = await startServer("ap-inbound-bare.ts", "bare Express server", PROFILE_ARGS);
  delete process.env.AP_BENCH_VERIFY;
  const sidecar = await startServer("ap-inbound-sidecar.ts", "sidecar", PROFILE_ARGS);
  const barePool = new Pool(bare.url, { connections: CONNECTIONS });
  const sidecarPool = new Pool(sidecar.url, { connections: CONNECTIONS });
  try {
    const inbox = `${sidecar.url}${INBOX}`;
    out(
      `inbound ActivityPub (${KIND === "create" ? "Create(Note)" : "Follow, Undo(Follow) in turn"}) vs bare Express 5: loopback, ${SENDERS} senders, ${CONNECTIONS} connections, ${SLICES} × ${SLICE} s per server, interleaved ABBA; servers in their own processes, client (undici) in this one`,
    );
    // The inbox must refuse what it cannot verify, or the rate below means nothing.
    const [probe] = await senders.sign(inbox, KIND, "probe", 1);
    if (!probe) throw new Error("no probe activity");
    const unsigned = { ...probe.headers };
    delete unsigned.signature;
    const tampered = { ...probe, body: probe.body.replace(/}$/, ',"tampered":true}') };
    for (const [what, a] of [
      ["unsigned", { ...probe, headers: unsigned }],
      ["tampered", tampered],
    ] as const) {
      const res = await sidecarPool.request({
        path: INBOX,
        method: "POST",
        headers: a.headers,
        body: a.body,
      });
      await res.body.dump();
      if (res.statusCode !== 401)
        throw new Error(`a ${what} activity was answered ${res.statusCode}, not 401`);
    }

    const bareActivities = await senders.sign(`${bare.url}${INBOX}`, KIND, "bare", BARE_POOL);
    let bareNext = 0;
    const bareRun = async (seconds: number): Promise<Slice> => {
      const m = await withCpu(bare.pid, () =>
        load(barePool, seconds, () => bareActivities[bareNext++ % BARE_POOL]),
      );
      return {
        ...m.result,
        cpuUs: m.serverSeconds === null ? null : (m.serverSeconds / m.result.answered) * 1e6,
      };
    };
    let signRate = 0;
    const sidecarRun = async (tag: string, seconds: number, expectRps: number): Promise<Slice> => {
      const t0 = performance.now();
      const size = Math.ceil(expectRps * seconds * 1.5) + 200;
      const pool = await senders.sign(inbox, KIND, tag, size);
      signRate = Math.max(signRate, size / ((performance.now() - t0) / 1000));
      let i = 0;
      const m = await withCpu(sidecar.pid, () => load(sidecarPool, seconds, () => pool[i++]));
      return {
        ...m.result,
        cpuUs: m.serverSeconds === null ? null : (m.serverSeconds / m.result.answered) * 1e6,
      };
    };

    // Warm-up (JIT, connections, each sender's key fetched once), not counted.
    await bareRun(WARMUP_SECONDS);
    const warm = await sidecarRun("warm", WARMUP_SECONDS, 300);
    const fetchesAfterWarmUp = senders.actorFetches;

    const bares: Slice[] = [];
    const sidecars: Slice[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < SLICES; i++) {
      let b: Slice;
      let s: Slice;
      const expect = sidecars.at(-1)?.rps ?? warm.rps;
      if (i % 2 === 0) {
        b = await bareRun(SLICE);
        s = await sidecarRun(String(i), SLICE, expect);
      } else {
        s = await sidecarRun(String(i), SLICE, expect);
        b = await bareRun(SLICE);
      }
      bares.push(b);
      sidecars.push(s);
      ratios.push(s.rps / b.rps);
    }
    const refused = new Map<number, number>();
    for (const s of [warm, ...sidecars, ...bares]) {
      for (const [status, n] of s.refused) refused.set(status, (refused.get(status) ?? 0) + n);
    }
    const refusedText = [...refused].map(([s, n]) => `${n}×${s}`).join(", ") || "none";
    const ratio = median(ratios);
    out(`ratio ${ratio.toFixed(2)} (per-pair ratios ${ratios.map((r) => r.toFixed(2)).join(" ")})`);
    out(
      `  ${VERIFY_BASELINE ? "Express + verify    " : "bare Express        "} ${summary(bares, "req/s")}`,
    );
    out(`  sidecar shared inbox ${summary(sidecars, "activities/s")}`);
    out(
      `  ${SENDERS} senders' actor documents fetched ${senders.actorFetches} times (${fetchesAfterWarmUp} by the end of the warm-up); ${senders.inboxPosts} replies to the senders' inboxes; refused: ${refusedText}; ` +
        `client signs ${fmt(signRate)} activities/s (signed before each slice; ${sidecars.filter((s) => s.exhausted).length} slices used up their pool early)`,
    );
    if (refused.size > 0) throw new Error(`valid activities refused: ${refusedText}`);
    const result = {
      bench: "ap-inbound",
      activity: KIND,
      baseline: VERIFY_BASELINE ? "express+verify" : "express",
      senders: SENDERS,
      connections: CONNECTIONS,
      slices: SLICES,
      sliceSeconds: SLICE,
      bareRps: Math.round(median(bares.map((b) => b.rps))),
      sidecarRps: Math.round(median(sidecars.map((s) => s.rps))),
      bareCpuUs: Math.round(median(bares.map((b) => b.cpuUs ?? 0))),
      sidecarCpuUs: Math.round(median(sidecars.map((s) => s.cpuUs ?? 0))),
      sidecarP99Ms: median(sidecars.map((s) => s.p99)),
      actorFetches: senders.actorFetches,
      ratio: Number(ratio.toFixed(2)),
    };
    out(JSON.stringify(result));
    out(`ratio: ${result.ratio.toFixed(2)}`);
  } finally {
    await Promise.all([barePool.close(), sidecarPool.close()]);
    await Promise.all([bare.stop(), sidecar.stop()]);
    await senders.close();
  }
}

await main();
