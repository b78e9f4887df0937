/**
 * Sends fuzzed requests to a sidecar over loopback, two ways: well-framed ones through an
 * undici pool (keep-alive, so thousands take seconds), and raw bytes over a fresh socket for
 * what no client library would send (broken chunking, lying Content-Length, bad header lines).
 */
import { connect } from "node:net";
import { Pool } from "undici";

/** A request undici can frame: method, path with query, headers (repeats allowed), body. */
export interface FuzzRequest {
  method: string;
  /** Starts with "/"; bytes 0x80–0xff stand for themselves (raw, maybe invalid UTF-8). */
  path: string;
  /** Flat [name, value, name, value, …]: a name may repeat. */
  headers: string[];
  body?: Buffer;
}

/** Bytes written as they are on a new connection; the request asks for the connection to close. */
export interface RawRequest {
  raw: Buffer;
  /** The message is deliberately incomplete: closing without an answer is acceptable. */
  incomplete: boolean;
  /** A GET the endpoint serves (the form, /healthz): a 200 is a correct answer. */
  servable: boolean;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string>;
  /** The first 64 KiB of the body. */
  body: string;
}

/** What came back: a response, or the connection closed (or timed out) without one. */
export type Outcome = FuzzResponse | { noResponse: string };

const BODY_CAP = 64 * 1024;
const TIMEOUT_MS = 15_000;

export class Sender {
  readonly #pool: Pool;
  readonly #url: URL;

  constructor(baseUrl: string, connections = 4) {
    this.#url = new URL(baseUrl);
    this.#pool = new Pool(this.#url.origin, {
      connections,
      pipelining: 1,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
  }

  async send(req: FuzzRequest): Promise<Outcome> {
    try {
      const res = await this.#pool.request({
        method: req.method,
        path: req.path,
        headers: req.headers,
        body: req.body ?? null,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (size < BODY_CAP) chunks.push(chunk);
        size += chunk.length;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      }
      const body = Buffer.concat(chunks).subarray(0, BODY_CAP).toString("utf8");
      return { status: res.statusCode, headers, body };
    } catch (err) {
      return { noResponse: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  }

  /**
   * Writes the bytes and reads until the server closes (the request says Connection: close).
   * An incomplete request is half-closed at once so the server sees its end; a complete one
   * only after 2 s of silence (Node drops a pending answer when the client half-closes).
   */
  sendRaw(req: RawRequest): Promise<Outcome> {
    return new Promise((resolve) => {
      const socket = connect(Number(this.#url.port), this.#url.hostname);
      const chunks: Buffer[] = [];
      const done = (why?: string) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(parseRawResponse(Buffer.concat(chunks), why));
      };
      const timer = setTimeout(() => done("timeout"), TIMEOUT_MS);
      const nudge = setTimeout(() => socket.end(), 2000);
      socket.on("close", () => clearTimeout(nudge));
      socket.on("connect", () => {
        if (req.incomplete) socket.end(req.raw);
        else socket.write(req.raw);
      });
      socket.on("data", (c: Buffer) => chunks.push(c));
      socket.on("end", () => done());
      socket.on("error", (err) => done(err.message));
    });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/** The status line, headers and body of the first response in `bytes` (enough to judge it). */
function parseRawResponse(bytes: Buffer, why: string | undefined): Outcome {
  // Skip interim answers (100 Continue) to the final one.
  const text = bytes
    .toString("latin1")
    .replace(/^(?:HTTP\/1\.[01] 1\d\d[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n)+/, "");
  bytes = Buffer.from(text, "latin1");
  const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(text);
  if (!m) return { noResponse: why ?? (text === "" ? "closed" : `not HTTP: ${text.slice(0, 80)}`) };
  const end = text.indexOf("\r\n\r\n");
  const headers: Record<string, string> = {};
  for (const line of text.slice(m[0].length, end < 0 ? undefined : end).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = end < 0 ? "" : bytes.subarray(end + 4, end + 4 + BODY_CAP).toString("utf8");
  return { status: Number(m[1]), headers, body };
}
