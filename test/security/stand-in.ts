/**
 * Starting the stand-in sidecar (stand-in-sidecar.ts): the real sidecar with its SSRF guard
 * on, except that 127.0.0.3 plays a public host and names resolve from a table.
 */
import { fileURLToPath } from "node:url";
import { type SidecarProcess, startSidecarProcess } from "../reference-listener/sidecar-process.js";

/** The one loopback address the stand-in sidecar treats as public. */
export const STAND_IN_PUBLIC = "127.0.0.3";

const ENTRY = fileURLToPath(new URL("./stand-in-sidecar.ts", import.meta.url));

/** `dns`: name → answers per lookup (the nth lookup gets the nth list, the last repeats). */
export function startStandInSidecar(dns: Record<string, string[][]>): Promise<SidecarProcess> {
  return startSidecarProcess({
    entry: ENTRY,
    // Many attempts from one test client, many at once: lift the per-client limits (subscribe
    // attempts, and connections: the test's kept-alive sockets add up on a slow machine).
    config: {
      allowPrivateNetworks: false,
      subscribe: { maxAttempts: 100_000 },
      limits: { connectionsPerAddress: 0 },
    },
    env: { STAND_IN_DNS: JSON.stringify(dns) },
  });
}
