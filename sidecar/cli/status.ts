/** `eleventy-federation status`: subscribers, pending and failing deliveries, the last sync; text or JSON. */
import type { Command } from "commander";
import { type DeliveryStatus, deliveryStatus } from "../delivery/status.js";
import { CONFIG_OPTION, configFrom, openStore, printTable } from "./run.js";

function syncLine(s: DeliveryStatus["sync"]): string {
  if (!s.lastSyncAt) return "never (run `eleventy-federation sync` or call the deploy hook)";
  const how = `${s.lastSyncAt} (${s.lastSyncSource ?? "?"})`;
  return s.lastSyncError ? `${how} FAILED: ${s.lastSyncError}` : `${how} ok`;
}

/** A titled table after the summary, left out when it has no rows. */
function section(title: string, header: string[], rows: string[][]): void {
  if (rows.length === 0) return;
  process.stdout.write(`\n${title}:\n`);
  printTable([header, ...rows]);
}

function print(site: string, st: DeliveryStatus): void {
  printTable([
    ["Site", site],
    ["Last sync", syncLine(st.sync)],
    ["Subscribers", String(st.subscribers)],
    [
      "Destinations",
      `${st.destinations} (${st.failing.length} failing, ${st.gaveUp.length} given up)`,
    ],
    ["Outbound log", `${st.head} entries so far`],
    [
      "Pending",
      `${st.pending} deliveries${st.pendingGaveUp > 0 ? ` (+${st.pendingGaveUp} to given-up destinations)` : ""}`,
    ],
  ]);
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
      "subscribers, pending deliveries, failing destinations and the last sync (works while the sidecar runs)",
    )
    .option(...CONFIG_OPTION)
    .option("--failures <n>", "how many recent permanent failures to show", "10")
    .option("--json", "print JSON")
    .action(async (opts: { config: string; json?: boolean; failures: string }) => {
      const config = await configFrom(opts);
      const store = await openStore(config, "read");
      let st: DeliveryStatus;
      try {
        st = await deliveryStatus(store, Math.max(0, Number.parseInt(opts.failures, 10) || 0));
      } finally {
        await store.close();
      }
      // The profile in the sync state is public; nothing secret is printed here.
      if (opts.json)
        process.stdout.write(`${JSON.stringify({ site: config.siteUrl, ...st }, null, 2)}\n`);
      else print(config.siteUrl, st);
    });
}
