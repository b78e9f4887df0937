import { parseArgs } from "node:util";
import { listen } from "./app.js";
import { makeUsers } from "./documents.js";
import { ListenerState } from "./state.js";
import type { Modes } from "./types.js";

/**
 * An independent OMB 0.1 listener (the OAuth provider role, like a StatusNet site whose
 * users subscribe to ours), for tests only. Run as its own process:
 *
 *   node --import tsx test/reference-listener/server.ts --port 0 --users alice,bob \
 *     [--host 127.0.0.1] [--modes '{"postNotice":"500"}']
 *
 * It prints `listening <port>` on stdout once it accepts connections. Modes can also come
 * from REFERENCE_LISTENER_MODES (JSON) and be changed at runtime with `POST /_control`;
 * `GET /_seen` reports every request, token, notice and profile it got (see types.ts).
 */

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    users: { type: "string", default: "alice" },
    modes: { type: "string" },
  },
});

function fail(message: string): never {
  process.stderr.write(`reference-listener: ${message}\n`);
  process.exit(2);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad --port ${values.port}`);
const nicknames = values.users.split(",").filter((n) => n !== "");
if (nicknames.length === 0 || nicknames.some((n) => !/^[a-z0-9]{1,64}$/.test(n)))
  fail(`--users must be comma-separated lowercase nicknames, got "${values.users}"`);

let modes: Partial<Modes> = {};
for (const source of [process.env.REFERENCE_LISTENER_MODES, values.modes]) {
  if (!source) continue;
  try {
    modes = { ...modes, ...(JSON.parse(source) as Partial<Modes>) };
  } catch (e) {
    fail(`modes are not JSON: ${(e as Error).message}`);
  }
}

const { server, port: actual } = await listen(
  (base) => {
    const state = new ListenerState(base, makeUsers(base, nicknames));
    state.control(modes);
    return state;
  },
  values.host,
  port,
).catch((e: unknown) => fail(`cannot listen: ${String(e)}`));

process.stdout.write(`listening ${actual}\n`);

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
