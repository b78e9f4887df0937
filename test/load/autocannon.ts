// autocannon (a devDependency without type definitions) behind a small typed wrapper: one
// bounded run of POSTs whose bodies come from a callback, with every answer's status
// reported back to the caller together with the body that produced it.
import { createRequire } from "node:module";

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

interface RawContext {
  key?: string;
}

interface RawOptions {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  timeout: number;
  overallRate?: number;
  sampleInt?: number;
  requests: {
    method: string;
    path: string;
    headers: Record<string, string>;
    setupRequest: (req: RawRequest, context: RawContext) => RawRequest;
    onResponse: (status: number, body: string, context: RawContext) => void;
  }[];
}

interface RawResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; average: number; max: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}

type Autocannon = ((
  opts: RawOptions,
  cb: (err: Error | null, r: RawResult) => void,
) => {
  stop(): void;
}) & { track?: unknown };

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export interface CannonOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:41234 */
  url: string;
  path: string;
  /** Concurrent connections (each with one request in flight: answers map to bodies). */
  connections: number;
  /** Run length in seconds. */
  seconds: number;
  /** The next request: its body and a key naming it (reported back with its answer). */
  next: () => { key: string; body: string | Buffer };
  /** Called with each answer: the key of the request it answers and the status. */
  onAnswer?: (key: string, status: number, body: string) => void;
  contentType?: string;
  /** Requests per second over all connections (default: as fast as answers come). */
  rate?: number;
  /** Ends the run early (the result covers what was answered until then). */
  signal?: AbortSignal;
}

export interface CannonResult {
  /** Answered requests per second over the run (all statuses). */
  rps: number;
  /** 2xx answers per second. */
  okPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
}

/**
 * One autocannon run over loopback, bounded by `seconds` (plus autocannon's own 10 s
 * request timeout). Pipelining is 1 so every answer belongs to the request before it on
 * its connection: that is what lets `onAnswer` name which body got which status.
 */
export function cannon(o: CannonOptions): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        pipelining: 1,
        duration: o.seconds,
        timeout: 10,
        ...(o.rate ? { overallRate: o.rate } : {}),
        // autocannon only looks at its stop flag once per sample: sample often when it may be stopped.
        ...(o.signal ? { sampleInt: 100 } : {}),
        requests: [
          {
            method: "POST",
            path: o.path,
            headers: {
              "content-type": o.contentType ?? "application/x-www-form-urlencoded",
            },
            setupRequest: (req, context) => {
              const { key, body } = o.next();
              context.key = key;
              return { ...req, body };
            },
            onResponse: (status, body, context) => o.onAnswer?.(context.key ?? "", status, body),
          },
        ],
      },
      (err, r) => {
        if (err) {
          reject(err);
          return;
        }
        const seconds = r.duration || o.seconds;
        resolve({
          rps: r.requests.total / seconds,
          okPerSecond: r["2xx"] / seconds,
          p50: r.latency.p50,
          p99: r.latency.p99,
          total: r.requests.total,
          ok: r["2xx"],
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          seconds,
        });
      },
    );
    if (o.signal?.aborted) instance.stop();
    else o.signal?.addEventListener("abort", () => instance.stop(), { once: true });
  });
}
