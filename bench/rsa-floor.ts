/**
 * The RSA-signing floor of an ActivityPub fan-out: the time to make one RSA-2048 signature
 * per inbox, as Fedify's signRequest makes it (WebCrypto RSASSA-PKCS1-v1_5 with SHA-256
 * over a draft-cavage signing string), spread over every core, with nothing else done.
 * Two ways, the faster one is the floor:
 * - `threadpool`: subtle.sign in this thread, in Promise.all batches (WebCrypto runs the
 *   signing on libuv's threadpool, UV_THREADPOOL_SIZE threads);
 * - `workers`: the same signing split over os.availableParallelism() worker threads.
 */
import { webcrypto } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
/** Signatures in flight at once in the threadpool way (bounds memory, keeps the pool full). */
const BATCH = 256;

/** Each worker imports the key once, then signs what it is sent (Promise.all) and says how many. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { subtle } = require("node:crypto").webcrypto;
const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const keyP = subtle.importKey("jwk", workerData, RSA, false, ["sign"]);
parentPort.on("message", async (messages) => {
  const key = await keyP;
  const enc = new TextEncoder();
  const sigs = await Promise.all(messages.map((m) => subtle.sign(RSA.name, key, enc.encode(m))));
  parentPort.postMessage(sigs.length);
});
`;

/** The string Fedify's signRequestDraft signs for a POST of an activity to `inbox`. */
export function cavageSigningString(inbox: string, digest: string, date: string): string {
  const url = new URL(inbox);
  return [
    `(request-target): post ${url.pathname}`,
    "accept: application/activity+json",
    "content-type: application/activity+json",
    `date: ${date}`,
    `digest: ${digest}`,
    `host: ${url.host}`,
  ].join("\n");
}

export interface RsaFloor {
  /** Milliseconds for all of `messages` in this thread's WebCrypto (libuv threadpool). */
  threadpool(messages: string[]): Promise<number>;
  /** Milliseconds for all of `messages` split over the worker threads. */
  workers(messages: string[]): Promise<number>;
  readonly workerCount: number;
  close(): Promise<void>;
}

export async function rsaFloor(privateJwk: webcrypto.JsonWebKey): Promise<RsaFloor> {
  const key = await webcrypto.subtle.importKey("jwk", privateJwk, RSA, false, ["sign"]);
  const workerCount = availableParallelism();
  const pool = Array.from(
    { length: workerCount },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: privateJwk }),
  );
  const ask = (w: Worker, messages: string[]) =>
    new Promise<number>((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
      w.postMessage(messages);
    });
  // Warm-up: each worker imports its key and signs once before anything is timed.
  await Promise.all(pool.map((w) => ask(w, ["warm-up"])));
  const enc = new TextEncoder();
  return {
    workerCount,
    async threadpool(messages) {
      const t0 = performance.now();
      for (let i = 0; i < messages.length; i += BATCH) {
        const batch = messages.slice(i, i + BATCH);
        await Promise.all(batch.map((m) => webcrypto.subtle.sign(RSA.name, key, enc.encode(m))));
      }
      return performance.now() - t0;
    },
    async workers(messages) {
      const t0 = performance.now();
      const shares = pool.map((_, w) => messages.filter((_m, i) => i % workerCount === w));
      const signed = await Promise.all(pool.map((w, i) => ask(w, shares[i] ?? [])));
      const total = signed.reduce((a, n) => a + n, 0);
      if (total !== messages.length)
        throw new Error(`workers signed ${total} of ${messages.length}`);
      return performance.now() - t0;
    },
    async close() {
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}
