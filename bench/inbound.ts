/**
 * Inbound: how many signed postNotice requests a sidecar accepts per second, against a bare
 * Express 5 app answering 200 to a POSTed form body of the same size, measured in the same
 * run with the same client (autocannon, loopback, same connections, pipelining 1).
 *
 *   npm run bench:inbound [-- --seconds 8 --connections 32 --rounds 3 --fsync both]
 *
 * Both servers run as separate processes: the bare app (bench/inbound-bare.ts) and the
 * real CLI (`eleventy-federation serve`), followed by a remote author through the whole
 * follow flow, so each notice passes the real path: body parser, OAuth verification
 * (HMAC, timestamp window, nonce recorded in the store), field validation, inbox append.
 * Every request is distinct (own nonce, own notice URI), signed BEFORE the timer starts
 * by the remote author's own OAuth code, so signing never limits the client. After each
 * mode the store is opened read-only: every notice answered 200 must be in the inbox.
 *
 * `--fsync both` (default) measures the journal with fdatasync off, then on (the product
 * default, printed last); the last line is `ratio: N` for fsync on. Each round runs bare
 * and sidecar back to back in alternating order; the ratio is the median per-round ratio.
 */
import { parseArgs } from "node:util";
import { cannon } from "../test/load/autocannon.js";
import { noticePool, pusherOf, signedNotice } from "../test/load/notice-pool.js";
import { createSite, followedBy, missingFromInbox } from "../test/load/site.js";
import { type Bare, startBare, withCpu } from "./inbound-procs.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    connections: { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
    fsync: { type: "string", default: "both" },
  },
});
const clamp = (v: string, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, Math.floor(Number(v) || lo)));
const SECONDS = clamp(values.seconds, 1, 30);
const CONNECTIONS = clamp(values.connections, 1, 512);
const ROUNDS = clamp(values.rounds, 1, 9);
const MODES = { on: [true], off: [false], both: [false, true] }[values.fsync] ?? [false, true];
const WARMUP_SECONDS = 2;
const PATH = "/omb/postnotice";

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (n: number | null) => (n === null ? "n/a" : `${Math.round(n * 100)}%`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const out = (line: string) => process.stdout.write(`${line}\n`);

interface Run {
  rps: number;
  p50: number;
  p99: number;
  serverCpu: number | null;
  clientCpu: number;
}

/** The bare app: the same signed body every time (same size, nothing to sign). */
async function bareRun(bare: Bare, body: string, seconds: number): Promise<Run> {
  let wrong = 0;
  const { result, serverCpu, clientCpu } = await withCpu(bare.pid, () =>
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
  if (wrong > 0 || result.errors > 0) {
    throw new Error(`bare: ${wrong} non-200 answers, ${result.errors} errors`);
  }
  return { rps: result.rps, p50: result.p50, p99: result.p99, serverCpu, clientCpu };
}

async function measure(fsync: boolean, bare: Bare): Promise<number> {
  const site = await createSite({ fsync, logLevel: "info" });
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
      const { result, serverCpu, clientCpu } = await withCpu(pid, () =>
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
      if (result.errors > 0) throw new Error(`sidecar: ${result.errors} connection errors`);
      return { rps: result.okPerSecond, p50: result.p50, p99: result.p99, serverCpu, clientCpu };
    };

    // Warm-up (JIT, connections, first journal writes), not counted.
    const warm = await bareRun(bare, sameSize, WARMUP_SECONDS);
    await sidecarRun("warm", WARMUP_SECONDS, warm.rps);

    const bares: Run[] = [];
    const sidecars: Run[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Back to back, alternating which goes first, so outside load falls on both alike.
      let b: Run;
      let s: Run;
      if (round % 2 === 1) {
        b = await bareRun(bare, sameSize, SECONDS);
        s = await sidecarRun(String(round), SECONDS, b.rps);
      } else {
        s = await sidecarRun(String(round), SECONDS, bares.at(-1)?.rps ?? warm.rps);
        b = await bareRun(bare, sameSize, SECONDS);
      }
      bares.push(b);
      sidecars.push(s);
      ratios.push(s.rps / b.rps);
      out(
        `  round ${round}: bare ${fmt(b.rps)} req/s (p50 ${b.p50} ms, p99 ${b.p99} ms, server CPU ${pct(b.serverCpu)}, client CPU ${pct(b.clientCpu)}); ` +
          `sidecar ${fmt(s.rps)} notices/s (p50 ${s.p50} ms, p99 ${s.p99} ms, server CPU ${pct(s.serverCpu)}, client CPU ${pct(s.clientCpu)})`,
      );
    }

    const missing = await missingFromInbox(site.dataFile, accepted);
    const ratio = median(ratios);
    const mid = (runs: Run[], k: "rps" | "p50" | "p99") => median(runs.map((r) => r[k]));
    out(
      `fsync ${fsync ? "on" : "off"}: bare Express ${fmt(mid(bares, "rps"))} req/s (p50 ${mid(bares, "p50")} ms, p99 ${mid(bares, "p99")} ms); ` +
        `sidecar postNotice ${fmt(mid(sidecars, "rps"))} notices/s (p50 ${mid(sidecars, "p50")} ms, p99 ${mid(sidecars, "p99")} ms); ratio ${ratio.toFixed(2)}`,
    );
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

const bare = await startBare();
try {
  out(
    `inbound postNotice vs bare Express 5, loopback, ${CONNECTIONS} connections, pipelining 1, ${SECONDS} s × ${ROUNDS} rounds; servers in their own processes, client (autocannon) in this one`,
  );
  let last = 0;
  for (const fsync of MODES) last = await measure(fsync, bare);
  out(`ratio: ${last.toFixed(2)}`);
} finally {
  await bare.stop();
}
