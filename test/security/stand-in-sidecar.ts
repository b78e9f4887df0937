/**
 * `eleventy-federation serve` for SSRF tests, with two test-only changes to its guarded HTTP
 * client, so that a loopback server can play a public host that redirects into private space:
 * - 127.0.0.3 (STAND_IN_PUBLIC, stand-in.ts) counts as public; every other address is judged by the real
 *   policy (isForbiddenAddress), exactly as with allowPrivateNetworks false;
 * - names are resolved from STAND_IN_DNS (JSON: name → list of answers, the nth lookup gets
 *   the nth answer, the last one repeats), so a name can point at a private address or
 *   change its answer between lookups; unknown names fail as NXDOMAIN.
 * Why not a config key or an environment variable in the sidecar itself: anything in the
 * shipped code that changes what the SSRF guard sees could be switched on by mistake in
 * production. This file lives under test/ and is never built or installed.
 * Usage (as the CLI): stand-in-sidecar.ts serve --config <file>
 */
import type dns from "node:dns";
import { loadConfig } from "../../sidecar/config.js";
import { isForbiddenAddress } from "../../sidecar/net/address-policy.js";
import { HttpClient, type LookupFunction } from "../../sidecar/net/client.js";
import { startSidecar } from "../../sidecar/server.js";
import { STAND_IN_PUBLIC } from "./stand-in.js";

const configFile = process.argv[process.argv.indexOf("--config") + 1];
if (!configFile) throw new Error("stand-in-sidecar: --config <file> is required");
const table = JSON.parse(process.env.STAND_IN_DNS ?? "{}") as Record<string, string[][]>;
const lookups = new Map<string, number>();

const lookup: LookupFunction = (hostname, _options, callback) => {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  const answers = table[name];
  const n = lookups.get(name) ?? 0;
  lookups.set(name, n + 1);
  const current = answers?.[Math.min(n, answers.length - 1)];
  setImmediate(() => {
    if (!current) {
      callback(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }),
        [],
      );
      return;
    }
    const found: dns.LookupAddress[] = current.map((address) => ({
      address,
      family: address.includes(":") ? 6 : 4,
    }));
    callback(null, found);
  });
};

const config = await loadConfig(configFile);
const running = await startSidecar(config);
// Routes read ctx.http on every request, so the swap applies to every fetch from now on.
running.ctx.http = new HttpClient({
  allowPrivateNetworks: false,
  isForbidden: (ip) => (ip === STAND_IN_PUBLIC ? null : isForbiddenAddress(ip)),
  lookup,
});
process.stderr.write(`eleventy-federation: sidecar (stand-in) listening on ${running.url}\n`);
const stop = () => {
  void running.close().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
