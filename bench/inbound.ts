/**
 * Inbound: how many signed postNotice requests a sidecar accepts per second, against a bare
 * Express 5 app answering 200 to a POSTed form body of the same size, measured in the same
 * run with the same client (autocannon, loopback, same connections, pipelining 1).
 *
 *   npm run bench:inbound [-- --seconds 10 --slice 1 --connections 32 --fsync both]
 *   npm run bench:inbound -- --cpu-prof /tmp/prof   (both servers write a .cpuprofile there)
 *
 * Both servers run as separate processes: the bare app (bench/inbound-bare.ts) and the
 * real CLI (`eleventy-federation serve`), followed by a remote author through the whole
 * follow flow, so each notice passes the real path: body parser, OAuth verification
 * (HMAC, timestamp window, nonce recorded in the store), field validation, inbox append.
 * Every request is distinct (own nonce, own notice URI), signed BEFORE its slice starts
 * by the remote author's own OAuth code, so signing never limits the client. After each
 * mode the store is opened read-only: every notice answered 200 must be in the inbox.
 *
 * Each server gets `--seconds` of load in `--slice`-second slices, interleaved ABBA (bare,
 * sidecar, sidecar, bare, …), so that load from elsewhere on the machine falls on both
 * alike; the ratio is the median of the per-pair ratios. Server CPU time per request (from
 * /proc) is printed too: it is what other load moves least.
 *
 * `--fsync both` (default) measures the journal with fdatasync off, then on (the product
 * default, printed last); the last line is `ratio: N` for fsync on.
 */
import { parseArgs } from "node:util";
import { type CannonResult, cannon } from "../test/load/autocannon.js";
import { noticePool, pusherOf, signedNotice } from "../test/load/notice-pool.js";
import { createSite, followedBy, missingFromInbox } from "../test/load/site.js";
import { clamp, fmt, fsyncModes, median, out } from "./cli.js";
import { type ServerProcess, startServer, type WithCpu, withCpu } from "./processes.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    slice: { type: "string", default: "1" },
    connections: { type: "string", default: "32" },
    fsync: { type: "string", default: "both" },
    "cpu-prof": { type: "string" },
  },
});
const SLICE = clamp(values.slice, 1, 30);
/** Slices per server per mode (at least two: one in each order). */
const SLICES = Math.max(2, Math.round(clamp(values.seconds, 1, 60) / SLICE));
const CONNECTIONS = clamp(values.connections, 1, 512);
const MODES = fsyncModes(values.fsync);
const WARMUP_SECONDS = 2;
/** node flags for both servers: --cpu-prof cannot go through NODE_OPTIONS. */
const PROFILE_ARGS = values["cpu-prof"]
  ? ["--cpu-prof", `--cpu-prof-dir=${values["cpu-prof"]}`]
  : [];
const PATH = "/omb/postnotice";

const pct = (n: number | null) => (n === null ? "n/a" : `${Math.round(n * 100)}%`);
const us = (n: number | null) => (n === null ? "n/a" : `${Math.round(n)} µs`);

interface Run {
  rps: number;
  /** Server CPU time per answered request, in µs: unlike req/s, barely moved by other load. */
  cpuUs: number | null;
  p50: number;
  p99: number;
  serverCpu: number | null;
  clientCpu: number;
  /** Requests answered in the slice. */
  total: number;
}

/** A slice's Run from what withCpu measured around cannon; `rps` is the rate that counts. */
function runOf(m: WithCpu<CannonResult>, rps: number): Run {
  const { result, serverCpu, serverSeconds, clientCpu } = m;
  const cpuUs =
    serverSeconds === null || result.total === 0 ? null : (serverSeconds / result.total) * 1e6;
  return {
    rps,
    cpuUs,
    total: result.total,
    p50: result.p50,
    p99: result.p99,
    serverCpu,
    clientCpu,
  };
}

/** The bare app: the same signed body every time (same size, nothing to sign). */
async function bareRun(bare: ServerProcess, body: string, seconds: number): Promise<Run> {
  let wrong = 0;
  const measured = await withCpu(bare.pid, () =>
    cannon({
      url: bare.url,
      path: PATH,
      connections: CONNECTIONS,
      seconds,
      next: () => ({ key: "bare", body }),
      onAnswer: (_key, status) => {
        if (status !== 200) wrong++;
      },
    }),
  );
  const { errors, rps } = measured.result;
  if (wrong > 0 || errors > 0) throw new Error(`bare: ${wrong} non-200 answers, ${errors} errors`);
  return runOf(measured, rps);
}

async function measure(fsync: boolean, bare: ServerProcess): Promise<number> {
  const site = await createSite(
    // --connections goes to 512, all from loopback: no per-address cap here.
    { fsync, logLevel: "info", limits: { connectionsPerAddress: 0 } },
    { nodeArgs: PROFILE_ARGS },
  );
  const authors = await followedBy(site, 1);
  try {
    const [author] = authors;
    if (!author || !site.proc) throw new Error("no followed author");
    const pusher = pusherOf(author);
    // The bare app gets a body of the same size (a notice signed like the measured ones).
    const sameSize = signedNotice(pusher, `${fsync ? "on" : "off"}-0-10000`);
    const accepted = new Set<string>();
    const refused = new Map<number, number>();
    let late = 0;
    let signRate = 0;
    const sidecarRun = async (tag: string, seconds: number, expectRps: number): Promise<Run> => {
      // Enough bodies for the run even at the bare app's rate, plus a margin.
      const pool = noticePool(
        pusher,
        `${fsync ? "on" : "off"}-${tag}`,
        Math.ceil(expectRps * seconds * 1.3) + 500,
      );
      signRate = Math.max(signRate, pool.signRate);
      const pid = site.proc?.pid ?? 0;
      const measured = await withCpu(pid, () =>
        cannon({
          url: site.url.slice(0, -1),
          path: PATH,
          connections: CONNECTIONS,
          seconds,
          next: pool.next,
          onAnswer: (key, status) => {
            if (status === 200) accepted.add(key);
            else refused.set(status, (refused.get(status) ?? 0) + 1);
          },
        }),
      );
      late += pool.signedLate;
      const { errors, okPerSecond } = measured.result;
      if (errors > 0) throw new Error(`sidecar: ${errors} connection errors`);
      return runOf(measured, okPerSecond);
    };

    // Warm-up (JIT, connections, first journal writes), not counted.
    const warm = await bareRun(bare, sameSize, WARMUP_SECONDS);
    await sidecarRun("warm", WARMUP_SECONDS, warm.rps);

    const bares: Run[] = [];
    const sidecars: Run[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < SLICES; i++) {
      // ABBA: bare first in even slices, sidecar first in odd ones.
      let b: Run;
      let s: Run;
      if (i % 2 === 0) {
        b = await bareRun(bare, sameSize, SLICE);
        s = await sidecarRun(String(i), SLICE, b.rps);
      } else {
        s = await sidecarRun(String(i), SLICE, bares.at(-1)?.rps ?? warm.rps);
        b = await bareRun(bare, sameSize, SLICE);
      }
      bares.push(b);
      sidecars.push(s);
      ratios.push(s.rps / b.rps);
    }

    const missing = await missingFromInbox(site.dataFile, accepted);
    const ratio = median(ratios);
    out(
      `fsync ${fsync ? "on" : "off"}: ratio ${ratio.toFixed(2)} (per-pair ratios ${ratios.map((r) => r.toFixed(2)).join(" ")})`,
    );
    out(`  bare Express      ${summary(bares, "req/s")}`);
    out(`  sidecar postNotice ${summary(sidecars, "notices/s")}`);
    const refusedText = [...refused].map(([s, n]) => `${n}×${s}`).join(", ") || "none";
    out(
      `  body ${sameSize.length} bytes; ${fmt(accepted.size)} notices answered 200, ${missing.length} of them missing from the store; refused: ${refusedText}; ` +
        `client signs ${fmt(signRate)} notices/s (pool signed before each run; ${late} signed during a run)`,
    );
    if (missing.length > 0) throw new Error(`${missing.length} accepted notices not in the store`);
    if (refused.size > 0) throw new Error(`valid notices refused: ${refusedText}`);
    return ratio;
  } finally {
    await site.dispose();
    for (const a of authors) await a.close();
  }
}

/** One line for one server's slices: mean rate, median latencies, CPU per request. */
function summary(runs: Run[], unit: string): string {
  const rate = runs.reduce((a, r) => a + r.rps, 0) / runs.length;
  const cpu = runs.every((r) => r.cpuUs !== null) ? median(runs.map((r) => r.cpuUs ?? 0)) : null;
  const server = runs.every((r) => r.serverCpu !== null)
    ? median(runs.map((r) => r.serverCpu ?? 0))
    : null;
  return (
    `${fmt(rate)} ${unit} (${fmt(runs.reduce((a, r) => a + r.total, 0))} requests; slices ${fmt(Math.min(...runs.map((r) => r.rps)))}–${fmt(Math.max(...runs.map((r) => r.rps)))}), ` +
    `latency p50 ${median(runs.map((r) => r.p50))} ms, p99 ${median(runs.map((r) => r.p99))} ms (slice medians), ` +
    `server ${us(cpu)} CPU/request (busy ${pct(server)} of a core), client busy ${pct(median(runs.map((r) => r.clientCpu)))}`
  );
}

const bare = await startServer("inbound-bare.ts", "bare Express server", PROFILE_ARGS);
try {
  out(
    `inbound postNotice vs bare Express 5: loopback, ${CONNECTIONS} connections, pipelining 1, ${SLICES} × ${SLICE} s per server and mode, interleaved ABBA; servers in their own processes, client (autocannon) in this one`,
  );
  let last = 0;
  for (const fsync of MODES) last = await measure(fsync, bare);
  out(`ratio: ${last.toFixed(2)}`);
} finally {
  await bare.stop();
}
