/**
 * Test servers on loopback only (127.0.0.0/8 all routes to `lo` on Linux, so a second
 * address such as 127.0.0.2 can stand for "another, forbidden host" on the same port).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackServer {
  host: string;
  port: number;
  /** `http://host:port` + path. */
  url(path?: string): string;
  /** Every request received, in order. */
  requests: IncomingMessage[];
  /** TCP connections accepted (to check keep-alive reuse). */
  connections: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export async function startLoopbackServer(
  handler: Handler,
  host = "127.0.0.1",
  port = 0,
): Promise<LoopbackServer> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  const state: LoopbackServer = {
    host,
    port: 0,
    url: (path = "/") => `http://${host}:${state.port}${path}`,
    requests,
    connections: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("connection", () => {
    state.connections++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  state.port = (server.address() as AddressInfo).port;
  return state;
}
