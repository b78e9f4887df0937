/** The sidecar's shutdown, in order and bounded by a deadline, and the requests it waits for. */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Logger } from "./log.js";

/** How long a shutdown waits for requests in flight and background work by default. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** At most this many requests are named in a shutdown's log line. */
const NAMED_REQUESTS = 5;

/**
 * The requests a server is answering, from its "request" event to the response's close
 * (sent, or its connection gone). A connection whose request headers have not all arrived
 * has no request yet: only closing the connection ends it.
 */
export class InFlightRequests {
  readonly #open = new Map<ServerResponse, string>();
  #waiters: (() => void)[] = [];

  constructor(server: Server) {
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      // Method and path only (a query string may carry a token), printable, short.
      const path = (req.url ?? "").split("?")[0] ?? "";
      const where = path.slice(0, 100).replace(/[^\x21-\x7e]/g, "?");
      this.#open.set(res, `${req.method ?? "?"} ${where}`);
      res.once("close", () => {
        this.#open.delete(res);
        if (this.#open.size > 0) return;
        for (const w of this.#waiters.splice(0)) w();
      });
    });
  }

  get size(): number {
    return this.#open.size;
  }

  /** "2 request(s) in flight (POST /hooks/deploy, GET /admin)", or "" when there are none. */
  describe(): string {
    if (this.#open.size === 0) return "";
    const named = [...this.#open.values()].slice(0, NAMED_REQUESTS);
    const more = this.#open.size > named.length ? ", …" : "";
    return `${this.#open.size} request(s) in flight (${named.join(", ")}${more})`;
  }

  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/**
 * Waits for `work`, at most `ms`: true when it settled in time (a failure counts as settled:
 * shutdown goes on), false when the time ran out.
 */
export async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = work.then(
    () => true as const,
    () => true as const,
  );
  const result = await Promise.race([settled, timeUp]);
  clearTimeout(timer);
  return result;
}

/** The server's open connections (any state), for the log. */
export function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((err, n) => resolve(err ? 0 : n)));
}

/** Writes out what the log holds (its stream may be asynchronous); never waits over a second. */
export function flushLog(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    log.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface ShutdownSteps {
  server: Server;
  requests: InFlightRequests;
  log: Logger;
  /** How long requests in flight and background work are waited for. */
  timeoutMs: number;
  /** Stops the background work (manifest poll, a running sync, the delivery worker). */
  stopBackground(): Promise<void>;
  /** What the requests and the background work left to write (the inbox export). */
  finishWrites(): Promise<void>;
  /** Flushes and closes the store (its lock released). */
  closeStore(): Promise<void>;
  /** Releases the outbound HTTP clients. */
  closeClients(): Promise<void>;
}

/**
 * Stops a running sidecar: (1) no new connections, idle keep-alive ones closed (the caller
 * answers new requests 503); (2) requests in flight and background work finish, at most
 * `timeoutMs`, saying what it waits for; (3) the store is flushed and closed; (4) every
 * connection left is closed: half-sent requests, keep-alive ones, requests past the deadline.
 */
export async function shutDown(steps: ShutdownSteps): Promise<void> {
  const { server, requests, log } = steps;
  const seconds = steps.timeoutMs / 1000;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();

  let backgroundStopped = false;
  const background = steps.stopBackground().finally(() => {
    backgroundStopped = true;
  });
  const pending = () =>
    [requests.describe(), backgroundStopped ? "" : "the delivery worker and any running sync"]
      .filter(Boolean)
      .join(", ") || "the inbox export";
  log.info(
    { requestsInFlight: requests.size, connections: await openConnections(server) },
    `shutting down: waiting at most ${seconds} s for ${pending()}`,
  );
  const work = Promise.all([requests.idle(), background]).then(() => steps.finishWrites());
  if (!(await within(steps.timeoutMs, work))) {
    log.warn(
      `shutdown: ${seconds} s passed, not waiting any longer for ${pending()}; closing the store and the connections now (unconfirmed pushes are resent after the restart)`,
    );
  }

  await steps.closeStore();

  const left = await openConnections(server);
  if (left > 0) log.info({ connections: left }, `closing the ${left} connection(s) left`);
  server.closeIdleConnections();
  server.closeAllConnections();
  await within(1000, closed);
  // Outbound requests still running are abandoned, not waited for.
  await within(1000, steps.closeClients());
  log.info("sidecar stopped");
  await flushLog(log);
}
