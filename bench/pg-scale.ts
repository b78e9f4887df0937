/**
 * Scaling out on PostgreSQL: the same OMB fan-out (a few new notices to N destinations, at
 * distinct postNotice URLs served by loopback receiver processes) through 1 and then 2
 * `eleventy-federation serve` processes sharing one database, and through 1 process on the
 * JSON store (fsync on, the product default) for comparison. Each measurement starts from a
 * fresh migrated database (a copy of one seeded through the Store API, first sync recorded)
 * or a freshly seeded JSON store, starts the processes, calls the deploy hook of one of them
 * and times from the hook until the receivers have had every delivery.
 *
 *   npm run bench:pg-scale [-- --destinations 2000 --notices 3 --rounds 5 --receivers 4]
 *                          [-- --concurrency 64 --pool 10]   (the product defaults)
 *                          [-- --waits]   (what the database's sessions were doing, sampled)
 *                          [-- --cpu-prof /tmp/p]   (a .cpuprofile of each sidecar process)
 *
 * Modes run back to back in alternating order each round; the figures are medians, and the
 * ratio (2 processes ÷ 1, deliveries/s; target ≥ 1.4 on two cores) the median of the
 * per-round ratios. Database round trips per delivered notice are the statements the
 * database executed meanwhile (pg_stat_statements, else committed transactions), ÷
 * deliveries. The cluster is the tests' one: fsync and synchronous_commit off. Last line
 * `ratio: N`.
 */
import { globSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import type { FileConfig } from "../sidecar/config.js";
import { openStore } from "../sidecar/store/open.js";
import { migrate } from "../sidecar/store/postgres/migrate.js";
import { openPostgresStore } from "../sidecar/store/postgres/pg-store.js";
import type { Store } from "../sidecar/store/store.js";
import { callDeployHook } from "../test/helpers/deploy-hook.js";
import { recordSync } from "../test/helpers/fixtures.js";
import { type PgCluster, startPgCluster } from "../test/helpers/pg-cluster.js";
import { readStore } from "../test/helpers/read-store.js";
import { waitFor } from "../test/helpers/receiver.js";
import { testManifest, writeManifest } from "../test/helpers/receiver-manifest.js";
import { type Served, serve } from "../test/helpers/serve-process.js";
import { clamp, fmt, median, out, withinMs } from "./cli.js";
import { receiverFollower, saveFollowers } from "./followers.js";
import { cpuSeconds, type ServerProcess, startServer } from "./processes.js";

const { values } = parseArgs({
  options: {
    destinations: { type: "string", default: "2000" },
    notices: { type: "string", default: "3" },
    rounds: { type: "string", default: "5" },
    receivers: { type: "string", default: "4" },
    concurrency: { type: "string", default: "64" },
    pool: { type: "string", default: "10" },
    waits: { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
  },
});
const DESTINATIONS = clamp(values.destinations, 10, 20_000);
const NOTICES = clamp(values.notices, 1, 20);
const ROUNDS = clamp(values.rounds, 1, 10);
const RECEIVERS = clamp(values.receivers, 1, 16);
const CONCURRENCY = clamp(values.concurrency, 1, 1024);
const POOL = clamp(values.pool, 1, 90);
const WAITS = values.waits;
const PROFILE_DIR = values["cpu-prof"];
const DELIVERIES = DESTINATIONS * NOTICES;
/** No phase may take longer than this. */
const PHASE_LIMIT_MS = 120_000;
const SITE = "https://blog.example/";
const HOOK_SECRET = "bench-pg-scale-hook-secret";
/** Posts 1 and 2 are the first sync's; the hook's sync finds the others. */
const ARCHIVED = [1, 2];
const NEW_POSTS = Array.from({ length: NOTICES }, (_, i) => i + 3);

/**
 * What runs or lies around while the run does: SIGKILLed and removed should this process
 * exit without its clean-up (an uncaught error, a closed stdout).
 */
const leftovers = { pids: new Set<number>(), dir: "" };
process.once("exit", () => {
  for (const pid of leftovers.pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (leftovers.dir) rmSync(leftovers.dir, { recursive: true, force: true });
});

/**
 * Starts `n` processes at once; every one that started is in `leftovers` (killed at exit)
 * before the first failure, if any, is thrown.
 */
async function startAll<T extends { pid: number }>(
  n: number,
  start: () => Promise<T>,
): Promise<T[]> {
  const started = await Promise.allSettled(Array.from({ length: n }, start));
  for (const p of started) if (p.status === "fulfilled") leftovers.pids.add(p.value.pid);
  const failed = started.find((p) => p.status === "rejected");
  if (failed) throw failed.reason;
  return started.map((p) => (p as PromiseFulfilledResult<T>).value);
}

interface Mode {
  name: string;
  store: "postgres" | "json";
  processes: number;
}
const PG1: Mode = { name: "postgres, 1 process", store: "postgres", processes: 1 };
const PG2: Mode = { name: "postgres, 2 processes", store: "postgres", processes: 2 };
const JSON1: Mode = { name: "json (fsync on), 1 process", store: "json", processes: 1 };

interface Run {
  perSecond: number;
  ms: number;
  /** Statements (or transactions) per delivered notice; postgres only. */
  perDelivery?: number;
  /** The statements executed most, with their calls per delivery (pg_stat_statements only). */
  top?: { query: string; perDelivery: number }[];
  cpu: { sidecars: number; postgres: number; receivers: number };
  /** With --waits: the share of samples of the sidecars' sessions in each state. */
  waits?: string;
}

/** How database work is counted: statements where pg_stat_statements exists, else commits. */
type Counting = "statements" | "transactions";

/** Follower i receives at `/r/<i>/postnotice` on receiver i % RECEIVERS (token t<i>, secret s<i>). */
async function seed(store: Store, receiverUrls: string[]): Promise<void> {
  await saveFollowers(store, DESTINATIONS, (i) => receiverFollower(i, receiverUrls));
  const { profile, notices } = testManifest(SITE, ARCHIVED);
  await recordSync(
    store,
    [],
    notices.map((n) => n.uri),
    { initialized: true, profile },
  );
}

/** Signed POSTs the receivers have answered so far. */
async function signedAtReceivers(receivers: ServerProcess[]): Promise<number> {
  const all = await Promise.all(
    receivers.map(async (r) => {
      const res = await fetch(`${r.url}/_stats`, { signal: AbortSignal.timeout(5_000) });
      return (await res.json()) as { signed: number; invalid: number };
    }),
  );
  const invalid = all.reduce((a, s) => a + s.invalid, 0);
  if (invalid > 0) throw new Error(`${invalid} sampled signatures were invalid`);
  return all.reduce((a, s) => a + s.signed, 0);
}

/** CPU seconds of each pid now (0 for one that is gone). */
async function cpuOf(pids: number[]): Promise<Map<number, number>> {
  return new Map(
    await Promise.all(pids.map(async (p) => [p, (await cpuSeconds(p)) ?? 0] as const)),
  );
}

/** CPU seconds used since `before` (pids that started meanwhile count from zero). */
async function cpuSince(before: Map<number, number>, pids: number[]): Promise<number> {
  let sum = 0;
  for (const [pid, s] of await cpuOf(pids)) sum += s - (before.get(pid) ?? 0);
  return sum;
}

/** The PostgreSQL side of the run: the cluster, a seeded template, counters and CPU. */
class Database {
  readonly #cluster: PgCluster;
  readonly #admin: pg.Client;
  readonly counting: Counting;

  private constructor(cluster: PgCluster, admin: pg.Client, counting: Counting) {
    this.#cluster = cluster;
    this.#admin = admin;
    this.counting = counting;
  }

  static async start(): Promise<Database> {
    const pgss = globSync("/usr/lib/postgresql/*/lib/pg_stat_statements.so").length > 0;
    const cluster = await startPgCluster(
      pgss ? ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=top"] : [],
    );
    const admin = new pg.Client({ connectionString: cluster.url() });
    try {
      await admin.connect();
      if (pgss) await admin.query("CREATE EXTENSION pg_stat_statements");
    } catch (e) {
      await admin.end().catch(() => undefined);
      await cluster.stop();
      throw e;
    }
    return new Database(cluster, admin, pgss ? "statements" : "transactions");
  }

  /** The template every measurement copies: migrated, seeded, first sync recorded. */
  async seedTemplate(receiverUrls: string[]): Promise<void> {
    const url = await this.#cluster.createDatabase("seed");
    await migrate(url);
    const store = await openPostgresStore(url);
    try {
      await seed(store, receiverUrls);
    } finally {
      await store.close();
    }
  }

  fresh(name: string): Promise<string> {
    return this.#cluster.createDatabase(name, "seed");
  }

  async drop(name: string): Promise<void> {
    await this.#admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  }

  /** Zeroes the statement counts of `db` (pg_stat_statements), or answers the commits so far. */
  async mark(db: string): Promise<number> {
    if (this.counting === "statements") {
      await this.#admin.query(
        "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = $1), 0)",
        [db],
      );
      return 0;
    }
    const { rows } = await this.#admin.query<{ n: string }>(
      "SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1",
      [db],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Statements (or commits) in `db` since `mark`, and the statements run most. */
  async since(db: string, mark: number): Promise<{ n: number; top: [string, number][] }> {
    if (this.counting === "transactions") return { n: (await this.mark(db)) - mark, top: [] };
    const { rows } = await this.#admin.query<{ query: string; calls: string }>(
      `SELECT query, calls FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1) ORDER BY calls DESC`,
      [db],
    );
    const n = rows.reduce((a, r) => a + Number(r.calls), 0);
    return { n, top: rows.slice(0, 10).map((r) => [r.query, Number(r.calls)]) };
  }

  /** Destinations behind `head`, and the log's head, in `db`. */
  async behind(url: string, head: number): Promise<{ behind: number; head: number }> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ behind: string; head: string }>(
        `SELECT (SELECT count(*) FROM destinations WHERE cursor_seq < $1) AS behind,
                (SELECT head FROM log_head) AS head`,
        [head],
      );
      return { behind: Number(rows[0]?.behind), head: Number(rows[0]?.head) };
    } finally {
      await client.end();
    }
  }

  /**
   * Samples every 20 ms what the sessions on `db` are doing (state and wait event) until
   * `stop()`, which answers the share of each, most frequent first: "idle" sessions wait
   * for the client, "idle in transaction" for the client mid-transaction, "Lock:…" for a
   * row another transaction holds (with the statement waiting), and "active" without a
   * wait event run on the CPU.
   */
  sampleWaits(db: string): () => Promise<string> {
    const seen = new Map<string, number>();
    let total = 0;
    let running = true;
    const loop = (async () => {
      for (let n = 0; running && n < PHASE_LIMIT_MS / 20; n++) {
        const { rows } = await this.#admin.query<{ s: string }>(
          `SELECT state || coalesce(' ' || wait_event_type || ':' || wait_event, '')
             || CASE WHEN wait_event_type = 'Lock' THEN ' (' || left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 40) || ')' ELSE '' END AS s
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [db],
        );
        for (const r of rows) seen.set(r.s, (seen.get(r.s) ?? 0) + 1);
        total += rows.length;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    return async () => {
      running = false;
      await loop;
      return [...seen]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([s, n]) => `${s} ${Math.round((n / Math.max(1, total)) * 100)}%`)
        .join(", ");
    };
  }

  /** Every server process of the cluster (backends and background workers). */
  async pids(): Promise<number[]> {
    const { rows } = await this.#admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity");
    return rows.map((r) => r.pid);
  }

  async stop(): Promise<void> {
    await this.#admin.end().catch(() => undefined);
    await this.#cluster.stop();
  }
}

/** One measurement: fresh store, K processes, one deploy hook, every delivery timed. */
async function measure(
  mode: Mode,
  round: number,
  ctx: { dir: string; manifest: string; db: Database; receivers: ServerProcess[] },
): Promise<Run> {
  const runDir = path.join(ctx.dir, `round-${round}-${mode.store}-${mode.processes}`);
  await mkdir(runDir);
  const dataFile = path.join(runDir, "store.json");
  const dbName = `round_${round}_${mode.processes}`;
  const env: NodeJS.ProcessEnv = { ...process.env, FEDERATION_HOOK_SECRET: HOOK_SECRET };
  const receiverUrls = ctx.receivers.map((r) => r.url);
  let dbUrl = "";
  if (mode.store === "postgres") {
    dbUrl = await ctx.db.fresh(dbName);
    env.FEDERATION_DATABASE_URL = dbUrl;
  } else {
    const store = await openStore(dataFile, { fsync: true });
    try {
      await seed(store, receiverUrls);
    } finally {
      await store.close();
    }
  }
  const config: FileConfig = {
    siteUrl: SITE,
    publicUrl: SITE,
    port: 0,
    dataFile,
    manifest: ctx.manifest,
    allowPrivateNetworks: true,
    logLevel: "warn",
    fsync: true,
    store: { kind: mode.store, pool: { max: POOL } },
    delivery: { concurrency: CONCURRENCY },
  };
  const configFile = path.join(runDir, "config.json");
  await writeFile(configFile, JSON.stringify(config));
  const procs: Served[] = [];
  try {
    procs.push(
      ...(await startAll(mode.processes, () =>
        serve(configFile, {
          env,
          ...(PROFILE_DIR
            ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`] }
            : {}),
        }),
      )),
    );
    const postgres = mode.store === "postgres";
    const mark = postgres ? await ctx.db.mark(dbName) : 0;
    const pgPids = postgres ? await ctx.db.pids() : [];
    const cpuPids = [...procs.map((p) => p.pid), ...ctx.receivers.map((r) => r.pid), ...pgPids];
    const cpu0 = await cpuOf(cpuPids);
    const signed0 = await signedAtReceivers(ctx.receivers);

    const stopSampling = postgres && WAITS ? ctx.db.sampleWaits(dbName) : undefined;
    const t0 = performance.now();
    const hook = await callDeployHook(procs[0]?.url ?? "", HOOK_SECRET, { source: "bench" });
    const answer = (await hook.json()) as { newNotices?: number };
    if (hook.status !== 200 || answer.newNotices !== NOTICES)
      throw new Error(`deploy hook: ${hook.status} ${JSON.stringify(answer)}`);
    let signed = signed0;
    await waitFor(
      async () => {
        await new Promise((r) => setTimeout(r, 40)); // with waitFor's 10 ms: a look every 50 ms
        signed = await signedAtReceivers(ctx.receivers);
        return signed - signed0 >= DELIVERIES;
      },
      `${fmt(DELIVERIES)} deliveries (${mode.name})`,
      PHASE_LIMIT_MS,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; ${fmt(signed - signed0)} arrived`);
    });
    const ms = performance.now() - t0;
    const waits = await stopSampling?.();

    const sidecarPids = new Set(procs.map((p) => p.pid));
    const receiverPids = new Set(ctx.receivers.map((r) => r.pid));
    const pick = (s: Set<number>) => [...cpu0.keys()].filter((p) => s.has(p));
    const cpu = {
      sidecars: await cpuSince(cpu0, pick(sidecarPids)),
      receivers: await cpuSince(cpu0, pick(receiverPids)),
      postgres: postgres ? await cpuSince(cpu0, await ctx.db.pids()) : 0,
    };
    // A clean stop: the last cursor writes land, and the backends flush their statistics.
    await withinMs("stopping the sidecars", Promise.all(procs.map((p) => p.stop())), 30_000);
    const run: Run = { perSecond: (DELIVERIES / ms) * 1000, ms, cpu };
    if (waits) run.waits = waits;
    if (postgres) {
      const { n, top } = await ctx.db.since(dbName, mark);
      run.perDelivery = n / DELIVERIES;
      run.top = top.map(([query, calls]) => ({ query, perDelivery: calls / DELIVERIES }));
      const state = await ctx.db.behind(dbUrl, NOTICES);
      if (state.head !== NOTICES || state.behind !== 0)
        throw new Error(`${mode.name}: head ${state.head}, ${state.behind} destinations behind`);
    } else {
      const behind = await readStore(dataFile, async (s) => {
        const head = await s.headSeq();
        return (await s.destinations()).filter((d) => d.cursor < head).length;
      });
      if (behind !== 0) throw new Error(`${mode.name}: ${behind} destinations behind`);
    }
    const extra = (await signedAtReceivers(ctx.receivers)) - signed0 - DELIVERIES;
    if (extra > 0) out(`  (${mode.name}: ${extra} notices sent twice)`);
    return run;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    for (const p of procs) leftovers.pids.delete(p.pid);
    if (mode.store === "postgres") await ctx.db.drop(dbName).catch(() => undefined);
    await rm(runDir, { recursive: true, force: true });
  }
}

function describe(mode: Mode, r: Run): string {
  const perDelivery =
    r.perDelivery === undefined ? "" : `, ${r.perDelivery.toFixed(2)} DB round trips/delivery`;
  const c = r.cpu;
  const pgCpu = mode.store === "postgres" ? `, postgres ${c.postgres.toFixed(1)}` : "";
  const waits = r.waits ? `\n    sessions: ${r.waits}` : "";
  return `${fmt(r.ms)} ms, ${fmt(r.perSecond)} deliveries/s${perDelivery}; CPU s: sidecars ${c.sidecars.toFixed(1)}${pgCpu}, receivers ${c.receivers.toFixed(1)}${waits}`;
}

async function main(): Promise<void> {
  const cores = cpus().length;
  out(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (${cores} cores)`,
  );
  const dir = await mkdtemp(path.join(tmpdir(), "bench-pg-scale-"));
  leftovers.dir = dir;
  const receivers: ServerProcess[] = [];
  let db: Database | undefined;
  try {
    receivers.push(
      ...(await startAll(RECEIVERS, () => startServer("fanout-receiver.ts", "receiver"))),
    );
    db = await Database.start();
    await db.seedTemplate(receivers.map((r) => r.url));
    const manifest = path.join(dir, "manifest.json");
    await writeManifest(manifest, testManifest(SITE, [...ARCHIVED, ...NEW_POSTS]));
    out(
      `PostgreSQL scale-out: ${NOTICES} new notices to ${fmt(DESTINATIONS)} OMB destinations (${fmt(DELIVERIES)} deliveries) on ${RECEIVERS} loopback receiver processes, concurrency ${CONCURRENCY} and pool ${POOL} per process, ${ROUNDS} rounds; timed from the deploy hook until the receivers had every delivery`,
    );
    out(
      `database round trips counted as ${db.counting === "statements" ? "statements executed (pg_stat_statements, BEGIN and COMMIT included)" : "committed transactions (pg_stat_database.xact_commit; pg_stat_statements not installed)"}`,
    );
    const modes = [PG1, PG2, JSON1];
    const runs = new Map<Mode, Run[]>(modes.map((m) => [m, []]));
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternating order, so that load from elsewhere falls on every mode alike.
      const order = round % 2 === 1 ? modes : [...modes].reverse();
      const results = new Map<Mode, Run>();
      for (const mode of order) {
        const r = await measure(mode, round, { dir, manifest, db, receivers });
        results.set(mode, r);
        runs.get(mode)?.push(r);
        out(`  round ${round}, ${mode.name}: ${describe(mode, r)}`);
      }
      const ratio = (results.get(PG2)?.perSecond ?? 0) / (results.get(PG1)?.perSecond ?? 1);
      ratios.push(ratio);
      out(`  round ${round}: 2 processes ÷ 1: ${ratio.toFixed(2)}`);
    }
    for (const mode of modes) {
      const rs = runs.get(mode) ?? [];
      const perDelivery = rs.flatMap((r) => (r.perDelivery === undefined ? [] : [r.perDelivery]));
      const trips = perDelivery.length
        ? `, ${median(perDelivery).toFixed(2)} DB round trips per delivered notice`
        : "";
      out(`${mode.name}: ${fmt(median(rs.map((r) => r.perSecond)))} deliveries/s (median)${trips}`);
      const top = rs.at(-1)?.top ?? [];
      for (const t of top)
        out(
          `    ${t.perDelivery.toFixed(2)}/delivery: ${t.query.replace(/\s+/g, " ").slice(0, 110)}`,
        );
    }
    const ratio = median(ratios);
    out(`two processes ÷ one on one PostgreSQL: ${ratio.toFixed(2)} (target ≥ 1.4 on two cores)`);
    out(`ratio: ${ratio.toFixed(2)}`);
  } finally {
    await db?.stop().catch(() => undefined);
    await Promise.all(receivers.map((r) => r.stop()));
    leftovers.pids.clear();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
