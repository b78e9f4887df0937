/**
 * Addresses a hostile visitor or service may aim the sidecar at, in every spelling a URL
 * host can take. `reaches` says which loopback trap a connection would actually land on
 * (so the test can prove none did); the rest cannot be reached from a test machine anyway.
 */
import { type Peer, startPeer } from "../hostile/peer.js";

export type Trap = "127.0.0.1" | "127.0.0.2" | "::1";

export interface Target {
  what: string;
  /** The URL host (brackets included for IPv6). */
  host: string;
  reaches?: Trap;
  /** A name only the stand-in sidecar resolves (see STAND_IN_DNS). */
  viaDns?: boolean;
}

export const LITERAL_TARGETS: readonly Target[] = [
  { what: "loopback", host: "127.0.0.1", reaches: "127.0.0.1" },
  { what: "loopback, another address", host: "127.0.0.2", reaches: "127.0.0.2" },
  { what: "loopback by name (localhost)", host: "localhost", reaches: "127.0.0.1" },
  { what: "loopback by name, mixed case", host: "LocalHost", reaches: "127.0.0.1" },
  { what: "loopback, decimal", host: "2130706433", reaches: "127.0.0.1" },
  { what: "loopback, octal", host: "0177.0.0.1", reaches: "127.0.0.1" },
  { what: "loopback, hex", host: "0x7f000001", reaches: "127.0.0.1" },
  { what: "loopback, dotted hex", host: "0x7f.0.0.1", reaches: "127.0.0.1" },
  { what: "loopback, short form", host: "127.1", reaches: "127.0.0.1" },
  { what: "unspecified 0.0.0.0 (reaches local listeners)", host: "0.0.0.0", reaches: "127.0.0.1" },
  { what: "unspecified, as 0", host: "0", reaches: "127.0.0.1" },
  { what: "IPv6 loopback", host: "[::1]", reaches: "::1" },
  { what: "IPv6 unspecified", host: "[::]", reaches: "::1" },
  { what: "IPv4-mapped IPv6 loopback", host: "[::ffff:127.0.0.1]", reaches: "127.0.0.1" },
  { what: "IPv4-mapped IPv6, hex", host: "[::ffff:7f00:2]", reaches: "127.0.0.2" },
  { what: "IPv4-compatible IPv6 (deprecated)", host: "[::127.0.0.1]" },
  { what: "NAT64 of loopback", host: "[64:ff9b::7f00:1]" },
  { what: "NAT64 of RFC 1918", host: "[64:ff9b::a00:1]" },
  { what: "6to4 of loopback", host: "[2002:7f00:1::1]" },
  { what: "6to4 of RFC 1918", host: "[2002:c0a8:101::1]" },
  { what: "Teredo with a loopback client", host: "[2001:0:4136:e378:8000:63bf:80ff:fffe]" },
  { what: "RFC 1918 10/8", host: "10.0.0.1" },
  { what: "RFC 1918 172.16/12", host: "172.31.255.254" },
  { what: "RFC 1918 192.168/16", host: "192.168.1.1" },
  { what: "link-local (cloud metadata)", host: "169.254.169.254" },
  { what: "IPv6 link-local", host: "[fe80::1]" },
  { what: "IPv6 unique local", host: "[fd00::1]" },
  { what: "CGNAT (RFC 6598)", host: "100.64.0.1" },
  { what: "CGNAT, upper end", host: "100.127.255.254" },
  { what: "broadcast", host: "255.255.255.255" },
  { what: "multicast", host: "224.0.0.1" },
  { what: "documentation range", host: "192.0.2.1" },
];

/** Names the stand-in sidecar resolves; each answer (or one of them) is forbidden. */
export const STAND_IN_DNS: Record<string, string[][]> = {
  // as /etc/hosts has it
  localhost: [["127.0.0.1"]],
  "intranet.test": [["10.0.0.1"]],
  "loop.test": [["127.0.0.2"]],
  "mapped.test": [["::ffff:127.0.0.1"]],
  "metadata.test": [["169.254.169.254"]],
  "v6local.test": [["::1"]],
  // one forbidden answer among allowed ones refuses the name
  "mixed.test": [["127.0.0.3", "127.0.0.2"]],
};

export const DNS_TARGETS: readonly Target[] = [
  { what: "a name resolving to RFC 1918", host: "intranet.test", viaDns: true },
  { what: "a name resolving to loopback", host: "loop.test", reaches: "127.0.0.2", viaDns: true },
  {
    what: "a name resolving to IPv4-mapped loopback",
    host: "mapped.test",
    reaches: "127.0.0.1",
    viaDns: true,
  },
  { what: "a name resolving to the metadata address", host: "metadata.test", viaDns: true },
  { what: "a name resolving to IPv6 loopback", host: "v6local.test", reaches: "::1", viaDns: true },
  {
    what: "a name with a public and a private answer",
    host: "mixed.test",
    reaches: "127.0.0.2",
    viaDns: true,
  },
];

/** Loopback servers that count every connection; all must stay at zero. */
export interface Traps {
  url(target: Target, path: string): string;
  connections(): number;
  close(): Promise<void>;
}

export async function startTraps(): Promise<Traps> {
  const peers = new Map<Trap, Peer>();
  for (const host of ["127.0.0.1", "127.0.0.2", "::1"] as const) {
    const trap = await startPeer(host);
    trap.route("/", (_req, res) => res.writeHead(200).end("reached"));
    peers.set(host, trap);
  }
  const port = (t: Target) => peers.get(t.reaches ?? "127.0.0.1")?.port ?? 1;
  return {
    url: (t, path) => `http://${t.host}:${port(t)}${path}`,
    connections: () => [...peers.values()].reduce((n, p) => n + p.connections(), 0),
    close: async () => {
      await Promise.all([...peers.values()].map((p) => p.close()));
    },
  };
}
