/**
 * Sends a batch of fuzzed requests with bounded concurrency and judges every answer: no 5xx,
 * no stack trace in a body, a 2xx/3xx only where the endpoint serves the request, and an
 * answer at all (unless the request was deliberately left incomplete).
 */
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Outcome } from "./sender.js";

export interface Tally {
  sent: number;
  /** status → count ("none" for no answer). */
  statuses: Map<number | "none", number>;
  /** Error pages by the step they name ("address refused", "not a URL"…). */
  steps: Map<string, number>;
  /** The first few bad answers, each with the request that caused it. */
  failures: string[];
  failed: number;
}

/** What a response must not show: stack frames, source paths. */
const LEAK = /\n\s+at \S|node_modules|\.ts:\d+:\d+/;

export function judge(
  outcome: Outcome,
  opts: { mayServe: (status: number) => boolean; mayNotAnswer?: boolean },
): string | null {
  if ("noResponse" in outcome) {
    return opts.mayNotAnswer ? null : `no answer (${outcome.noResponse})`;
  }
  const { status, body } = outcome;
  if (status >= 500) return `HTTP ${status}: ${body.slice(0, 300)}`;
  if (status < 400 && !opts.mayServe(status)) return `HTTP ${status} where a 4xx was due`;
  if (status < 100 || status > 599) return `bad status ${status}`;
  if (LEAK.test(body)) return `HTTP ${status} shows internals: ${body.slice(0, 300)}`;
  // every page the app renders carries the security headers (Node's own bare 400s have none)
  const html = /^text\/html/.test(outcome.headers["content-type"] ?? "");
  if (
    html &&
    !(
      outcome.headers["content-security-policy"] &&
      outcome.headers["x-content-type-options"] === "nosniff"
    )
  )
    return `HTTP ${status} page without security headers`;
  return null;
}

/** Runs `send` over `cases`, `concurrency` at a time; `check` names a problem or returns null. */
export async function fuzzBatch<T>(
  cases: readonly T[],
  concurrency: number,
  send: (c: T) => Promise<Outcome>,
  check: (c: T, o: Outcome) => string | null,
  describe: (c: T) => string,
): Promise<Tally> {
  const tally: Tally = { sent: 0, statuses: new Map(), steps: new Map(), failures: [], failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++] as T;
      const outcome = await send(c);
      tally.sent++;
      const key = "noResponse" in outcome ? "none" : outcome.status;
      tally.statuses.set(key, (tally.statuses.get(key) ?? 0) + 1);
      const step =
        "body" in outcome ? /Step that failed: ([^<]+)</.exec(outcome.body)?.[1] : undefined;
      if (step) tally.steps.set(step, (tally.steps.get(step) ?? 0) + 1);
      const problem = check(c, outcome);
      if (problem) {
        tally.failed++;
        if (tally.failures.length < 5)
          tally.failures.push(`${problem}\n    request: ${describe(c)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tally;
}

export function summary(t: Tally): string {
  const statuses = [...t.statuses]
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");
  const steps = [...t.steps].map(([s, n]) => `${s}×${n}`).join(", ");
  return `${t.sent} requests, ${t.failed} bad; statuses ${statuses}; pages: ${steps || "none"}`;
}

/** A cookie value as cookie-parser's signed cookies expect it (`s:` + cookie-signature). */
export function signCookie(value: string, secret: string): string {
  const mac = createHmac("sha256", secret).update(value).digest("base64").replace(/=+$/, "");
  return `s:${value}.${mac}`;
}

/** The store's files, to compare before and after (byte for byte). */
export async function storeFiles(dataFile: string): Promise<string> {
  const read = (f: string) => readFile(f, "utf8").catch(() => "(absent)");
  return `${await read(dataFile)}\n--- journal ---\n${await read(`${dataFile}.journal`)}`;
}
