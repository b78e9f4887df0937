/** `eleventy-federation status`: the sidecar and secrets, subscribers, deliveries, the last sync; text or JSON. */
import type { Command } from "commander";
import {
  followersSummary,
  outboundSummary,
  type StatusReport,
  secretNotes,
  statusReport,
} from "../admin/status-data.js";
import type { Config } from "../config.js";
import type { DeliveryStatus } from "../delivery/status.js";
import { explainManifestError } from "./manifest-hint.js";
import { CONFIG_OPTION, configFrom, openStore, printTable } from "./run.js";

/** What status tells about this setup besides the store: whether the sidecar runs. */
interface Setup {
  /** Where the config says the sidecar listens (as this machine reaches it). */
  url: string;
  /** Something answers its health check there. */
  running: boolean;
}

/** The config's host and port as a URL this machine can reach. */
function localUrl(config: Pick<Config, "host" | "port">): string {
  let host = config.host;
  if (host === "0.0.0.0") host = "127.0.0.1";
  else if (host === "::") host = "::1";
  if (host.includes(":")) host = `[${host}]`;
  return `http://${host}:${config.port}/`;
}

async function probe(config: Config): Promise<Setup> {
  const url = localUrl(config);
  let running = false;
  try {
    const res = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2000) });
    running = res.ok && (await res.text()) === "ok";
  } catch {
    running = false;
  }
  return { url, running };
}

function sidecarLine(s: Setup): string {
  return s.running
    ? `running, answering on ${s.url}`
    : `not running (nothing answers on ${s.url}; start it with \`eleventy-federation serve\`)`;
}

function syncLine(s: DeliveryStatus["sync"], config: Config, configFile: string): string {
  if (!s.lastSyncAt) return "never (run `eleventy-federation sync` or call the deploy hook)";
  const how = `${s.lastSyncAt} (${s.lastSyncSource ?? "?"})`;
  return s.lastSyncError
    ? `${how} FAILED: ${explainManifestError(s.lastSyncError, config, configFile)}`
    : `${how} ok`;
}

/** The last days' outcomes, summed. */
function daysLine(st: StatusReport): string {
  const sum = (k: "delivered" | "retried" | "refused" | "gaveUp") =>
    st.days.reduce((n, d) => n + d[k], 0);
  return `${sum("delivered")} delivered, ${sum("retried")} failed attempts retried, ${sum("refused")} refused, ${sum("gaveUp")} destinations given up`;
}

/** A titled table after the summary, left out when it has no rows. */
function section(title: string, header: string[], rows: string[][]): void {
  if (rows.length === 0) return;
  process.stdout.write(`\n${title}:\n`);
  printTable([header, ...rows]);
}

function print(config: Config, configFile: string, setup: Setup, st: StatusReport): void {
  printTable([
    ["Site", config.siteUrl],
    ["Sidecar", sidecarLine(setup)],
    ...secretNotes(st, config),
    ["Last sync", syncLine(st.sync, config, configFile)],
    ["Subscribers", followersSummary(st)],
    [
      "Destinations",
      `${st.destinations} (${st.failing.length} failing, ${st.gaveUp.length} given up)`,
    ],
    ["Outbound log", outboundSummary(st)],
    [
      "Pending",
      `${st.pending} deliveries${st.pendingGaveUp > 0 ? ` (+${st.pendingGaveUp} to given-up destinations)` : ""}`,
    ],
    [`Last ${st.days.length} days`, daysLine(st)],
  ]);
  section(
    "Outbound entries (newest first; REACHED: destinations at or past it)",
    ["ENTRY", "KIND", "ADDED", "REACHED", "WHAT"],
    st.recentEntries.map((e) => [
      `#${e.seq}`,
      e.kind,
      e.addedAt,
      `${e.reached} of ${e.of}`,
      e.label.slice(0, 60),
    ]),
  );
  section(
    "Failing destinations (retrying)",
    ["URL", "ATTEMPTS", "FAILING SINCE", "NEXT TRY", "LAST ERROR"],
    st.failing.map((d) => [
      d.url,
      String(d.attempts),
      d.failingSince ?? "",
      d.retryAt ?? "",
      d.lastError ?? "",
    ]),
  );
  section(
    "Given up (`eleventy-federation deliver --include-gave-up` tries them again)",
    ["URL", "GAVE UP AT", "FAILING SINCE", "LAST ERROR"],
    st.gaveUp.map((d) => [d.url, d.gaveUpAt ?? "", d.failingSince ?? "", d.lastError ?? ""]),
  );
  section(
    "Recent permanent failures",
    ["AT", "DESTINATION", "ENTRY", "STATUS", "ERROR"],
    st.recentFailures.map((f) => [
      f.at,
      f.destination,
      f.seq === undefined ? "" : `#${f.seq}`,
      f.status === undefined ? "" : String(f.status),
      f.error,
    ]),
  );
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description(
      "whether the sidecar runs and the secrets are set, subscribers, pending deliveries, failing destinations and the last sync (works while the sidecar runs)",
    )
    .option(...CONFIG_OPTION)
    .option("--failures <n>", "how many recent permanent failures to show", "10")
    .option("--json", "print JSON")
    .action(async (opts: { config: string; json?: boolean; failures: string }) => {
      const config = await configFrom(opts);
      const store = await openStore(config, "read");
      let st: StatusReport;
      try {
        st = await statusReport(store, config, {
          failures: Math.max(0, Number.parseInt(opts.failures, 10) || 0),
        });
      } finally {
        await store.close();
      }
      const setup = await probe(config);
      // The profile in the sync state is public; nothing secret is printed here (whether a
      // secret is set, not its value).
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...st, sidecar: setup }, null, 2)}\n`);
      } else print(config, opts.config, setup, st);
    });
}
