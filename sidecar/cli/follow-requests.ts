/**
 * `eleventy-federation followers requests|approve|reject`: the fediverse Follows held for the
 * owner (activitypub.manuallyApprovesFollowers). Answering sends Accept or Reject, signed
 * with the actor's key, so it goes through the running sidecar.
 */
import type { Command } from "commander";
import { SIDECAR_PATHS } from "../../contract/public-paths.js";
import { listFollowRequests } from "../activitypub/follow-requests.js";
import { followersCommand } from "./followers.js";
import { CONFIG_OPTION, configFrom, openStore, printRecords } from "./run.js";
import { sendToSidecar } from "./sidecar-client.js";

export function registerFollowRequests(program: Command): void {
  // The `followers` group with its default `list` (followers.ts): these join it.
  const cmd = followersCommand(program);
  cmd
    .command("requests")
    .description("list the fediverse follow requests waiting for your approval")
    .option(...CONFIG_OPTION)
    .option("--json", "print JSON")
    .action(async (opts: { config: string; json?: boolean }) => {
      const store = await openStore(await configFrom(opts), "read");
      const requests = await listFollowRequests(store);
      await store.close();
      printRecords(requests, opts.json, {
        json: ({ follower, receivedAt }) => ({
          actor: follower.id,
          profile: follower.profile,
          receivedAt,
        }),
        empty: "No follow requests are waiting.",
        header: ["ACTOR", "HANDLE", "NAME", "RECEIVED"],
        row: ({ follower, receivedAt }) => [
          follower.id,
          follower.profile.handle ?? "",
          follower.profile.name,
          receivedAt,
        ],
      });
    });
  for (const answer of ["approve", "reject"] as const) {
    cmd
      .command(`${answer} <actor>`)
      .description(
        answer === "approve"
          ? "accept a follow request: they become a follower and get Accept"
          : "refuse a follow request: they get Reject",
      )
      .option(...CONFIG_OPTION)
      .option("--url <url>", "the running sidecar's address (default: the config's host and port)")
      .action(async (actor: string, opts: { config: string; url?: string }) => {
        const config = await configFrom(opts);
        const result = await sendToSidecar(
          config,
          SIDECAR_PATHS.hookCommand,
          { command: `${answer}-follower`, actor },
          { url: opts.url },
        );
        const done = answer === "approve" ? "Approved" : "Rejected";
        const sent = result.delivered
          ? "their server has the answer"
          : "their server did not take the answer yet; the sidecar retries";
        process.stdout.write(`${done} ${actor}: ${sent}.\n`);
      });
  }
}
