/**
 * Runs a module's properties in a worker thread, so that a property stuck in a synchronous
 * loop can be stopped (`worker.terminate()` interrupts running JavaScript; a timer in the
 * same thread would never fire). The module must export `properties: Record<string, Property>`.
 */
import { Worker } from "node:worker_threads";

export interface PropertyResult {
  ok: boolean;
  /** fast-check's report (counterexample, seed) or why the property did not finish. */
  message: string;
  ms: number;
}

/**
 * The worker's entry, as CommonJS source: it registers tsx (workers do not inherit the
 * loader hooks of `--import tsx` on Node 20) and runs the properties one at a time.
 */
const BOOT = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  const { register } = await import(workerData.tsxApi);
  register();
  // One seed per module, chosen here so that a hang can be replayed too.
  process.env.FUZZ_SEED ||= String(Math.floor(Math.random() * 2 ** 31));
  const seed = process.env.FUZZ_SEED;
  const { properties } = await import(workerData.module);
  for (const name of workerData.names) {
    parentPort.postMessage({ name, started: true, seed });
    const t0 = performance.now();
    try {
      properties[name]();
      parentPort.postMessage({ name, ok: true, message: "", ms: performance.now() - t0 });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      parentPort.postMessage({ name, ok: false, message, ms: performance.now() - t0 });
    }
  }
})().catch((err) => parentPort.postMessage({ fatal: String(err && err.stack || err) }));
`;

type Message =
  | { name: string; started: true; seed: string }
  | ({ name: string } & PropertyResult)
  | { fatal: string };

/**
 * Starts the worker and returns one promise per property name. A property that runs longer
 * than `timeoutMs` is failed as a hang; the worker is then stopped and the rest fail too.
 */
export function runIsolated(
  moduleUrl: string,
  names: readonly string[],
  timeoutMs: number,
): Map<string, Promise<PropertyResult>> {
  const settle = new Map<string, (r: PropertyResult) => void>();
  const results = new Map<string, Promise<PropertyResult>>();
  for (const name of names) {
    results.set(name, new Promise((resolve) => settle.set(name, resolve)));
  }
  const finish = (name: string, r: PropertyResult) => {
    settle.get(name)?.(r);
    settle.delete(name);
  };
  const failRest = (message: string) => {
    for (const name of [...settle.keys()]) finish(name, { ok: false, message, ms: 0 });
  };
  const worker = new Worker(BOOT, {
    eval: true,
    workerData: { module: moduleUrl, names, tsxApi: import.meta.resolve("tsx/esm/api") },
  });
  let timer: NodeJS.Timeout | undefined;
  worker.on("message", (m: Message) => {
    if ("fatal" in m) {
      failRest(`worker failed before running: ${m.fatal}`);
      return;
    }
    clearTimeout(timer);
    if ("started" in m) {
      const started = Date.now();
      timer = setTimeout(() => {
        finish(m.name, {
          ok: false,
          message: `did not finish within ${timeoutMs} ms (a hang or a super-linear input); replay with FUZZ_SEED=${m.seed}`,
          ms: Date.now() - started,
        });
        failRest(`not run: ${m.name} hung before it`);
        void worker.terminate();
      }, timeoutMs);
    } else {
      finish(m.name, m);
    }
  });
  worker.on("error", (err) => failRest(`worker error: ${err.stack ?? err.message}`));
  worker.on("exit", () => {
    clearTimeout(timer);
    failRest("worker exited early");
  });
  return results;
}
