/**
 * `eleventy-federation followers`: everyone who follows the site, by protocol and instance,
 * with how delivery to each instance stands and its last error (text or JSON). The same
 * group holds the follow-request commands (follow-requests.ts).
 */
import { type Command, Option } from "commander";
import { listFollowRequests } from "../activitypub/follow-requests.js";
import {
  deliveryLine,
  type FollowersByInstance,
  followersByInstance,
  type InstanceSummary,
  instanceKey,
} from "../admin/instances.js";
import { plural } from "../admin/plural.js";
import { nameOf, PROTOCOL_NAMES } from "../admin/status-data.js";
import { when } from "../admin/when.js";
import { destinationOf } from "../store/store.js";
import { type Follower, PROTOCOLS, type Protocol } from "../store/types.js";
import { CONFIG_OPTION, configFrom, openStore, printTable } from "./run.js";

/** A follower as `followers --json` shows one: public fields only, never a token. */
function publicFollower(f: Follower) {
  return {
    id: f.id,
    name: nameOf(f),
    profile: f.profile,
    destination: destinationOf(f).url,
    since: f.since,
  };
}

/** The JSON: the text's structure, with every follower of each instance. */
function asJson(r: FollowersByInstance, followRequests: number) {
  return {
    count: r.count,
    protocols: r.protocols.map((p) => ({
      ...p,
      instances: p.instances.map((g) => ({
        ...g,
        followers: (r.followers.get(instanceKey(p.protocol, g.host)) ?? []).map(publicFollower),
      })),
    })),
    followRequests,
  };
}

/** One row per destination; the instance's name, count and newest failure on its first. */
function instanceRows(g: InstanceSummary): string[][] {
  const failure =
    g.lastFailure && `permanent failure at ${when(g.lastFailure.at)}: ${g.lastFailure.error}`;
  if (g.destinations.length === 0) return [[g.host, String(g.count), "", "", failure ?? ""]];
  return g.destinations.map((d, i) => [
    i === 0 ? g.host : "",
    i === 0 ? String(g.count) : "",
    d.url,
    deliveryLine(d),
    d.lastError ?? (i === 0 ? (failure ?? "") : ""),
  ]);
}

function print(r: FollowersByInstance, followRequests: number, protocol?: Protocol): void {
  if (r.count === 0) {
    const over = protocol ? ` over ${PROTOCOL_NAMES[protocol]}` : "";
    process.stdout.write(`Nobody follows the site${over} yet.\n`);
  }
  for (const p of r.protocols) {
    const on = plural(p.instances.length, "instance");
    process.stdout.write(
      `${PROTOCOL_NAMES[p.protocol]}: ${plural(p.count, "follower")} on ${on}\n`,
    );
    printTable([
      ["INSTANCE", "FOLLOWERS", "DESTINATION", "DELIVERY", "LAST ERROR"],
      ...p.instances.flatMap(instanceRows),
    ]);
    process.stdout.write("\n");
  }
  const rows = r.protocols.flatMap((p) =>
    p.instances.flatMap((g) =>
      (r.followers.get(instanceKey(p.protocol, g.host)) ?? []).map((f) => [
        p.protocol,
        g.host,
        f.id,
        nameOf(f),
        f.since,
      ]),
    ),
  );
  if (rows.length > 0) {
    process.stdout.write("Followers:\n");
    printTable([["PROTOCOL", "INSTANCE", "ID", "NAME", "SINCE"], ...rows]);
  }
  if (followRequests > 0) {
    process.stdout.write(
      `\n${plural(followRequests, "follow request")} waiting for your approval: \`eleventy-federation followers requests\` lists them.\n`,
    );
  }
}

/** The `followers` group with its default `list` command, made on first use. */
export function followersCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === "followers");
  if (existing) return existing;
  const cmd = program
    .command("followers")
    .description("list the people who follow the site; answer fediverse follow requests");
  cmd
    .command("list", { isDefault: true })
    .description(
      "list the followers by protocol and instance, with each instance's delivery state and last error",
    )
    .option(...CONFIG_OPTION)
    .addOption(
      new Option("--protocol <protocol>", "only this protocol's followers").choices(PROTOCOLS),
    )
    .option("--json", "print JSON")
    .action(async (opts: { config: string; json?: boolean; protocol?: Protocol }) => {
      const store = await openStore(await configFrom(opts), "read");
      let result: FollowersByInstance;
      let requests = 0;
      try {
        result = await followersByInstance(store, opts.protocol ? { protocol: opts.protocol } : {});
        if (opts.protocol !== "omb") requests = (await listFollowRequests(store)).length;
      } finally {
        await store.close();
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(asJson(result, requests), null, 2)}\n`);
      } else print(result, requests, opts.protocol);
    });
  return cmd;
}
