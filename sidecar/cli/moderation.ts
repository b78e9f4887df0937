/**
 * `eleventy-federation replies`, `block`, `unblock`, `blocks`: the owner's moderation from
 * the command line. Changes run on the store when no sidecar holds it (and refresh the
 * build's interactions.json), else through the running sidecar's signed command.
 */
import type { Command } from "commander";
import { SIDECAR_PATHS } from "../../contract/public-paths.js";
import type { Config } from "../config.js";
import { createEvents } from "../events.js";
import { Blocks } from "../interactions/blocks.js";
import { interactionsExportFile, writeInteractionsExport } from "../interactions/export.js";
import { InteractionError, listReplies } from "../interactions/interactions.js";
import {
  block,
  blockTarget,
  type ModerationDeps,
  moderateReply,
  REPLY_ACTIONS,
  type ReplyAction,
  unblock,
} from "../interactions/moderation.js";
import type { Store } from "../store/store.js";
import {
  CliError,
  CONFIG_OPTION,
  commandLogger,
  configFrom,
  openStore,
  printRecords,
} from "./run.js";
import { inStoreOrSidecar, sendToSidecar } from "./sidecar-client.js";

const URL_OPTION = [
  "--url <url>",
  "the running sidecar's address (default: the config's host and port)",
] as const;

/** Runs `local` on the store (then refreshes interactions.json), or `command` through the sidecar. */
async function change(
  config: Config,
  local: (deps: ModerationDeps) => Promise<unknown>,
  command: Record<string, unknown>,
  url?: string,
): Promise<void> {
  try {
    await inStoreOrSidecar(
      config,
      async (store: Store) => {
        await local({ store, events: createEvents(), log: commandLogger(config) });
        const file = interactionsExportFile(config);
        if (file) await writeInteractionsExport(store, file, config.publicUrl);
      },
      async () => {
        await sendToSidecar(config, SIDECAR_PATHS.hookCommand, command, { url });
      },
    );
  } catch (e) {
    if (e instanceof InteractionError) throw new CliError(`eleventy-federation: ${e.message}.`);
    throw e;
  }
}

export function registerModeration(program: Command): void {
  const replies = program
    .command("replies")
    .description(
      "list the fediverse replies to the site's posts, and approve, hide or delete them",
    );
  replies
    .command("list", { isDefault: true })
    .description("list replies (newest last)")
    .option(...CONFIG_OPTION)
    .option("--state <state>", "only pending, approved or hidden ones")
    .option("--json", "print JSON")
    .action(async (opts: { config: string; state?: string; json?: boolean }) => {
      const store = await openStore(await configFrom(opts), "read");
      const all = (await listReplies(store)).filter((r) => !opts.state || r.state === opts.state);
      await store.close();
      printRecords(all, opts.json, {
        json: (r) => r,
        empty: opts.state ? `No ${opts.state} replies.` : "No replies yet.",
        header: ["STATE", "ID", "FROM", "POST", "RECEIVED"],
        row: (r) => [r.state, r.id, r.author.handle ?? r.author.name, r.postUri, r.receivedAt],
      });
    });
  for (const action of REPLY_ACTIONS) {
    replies
      .command(`${action} <id>`)
      .description(
        {
          approve: "show a reply on its post page (from the next build)",
          hide: "keep a reply but do not show it",
          delete: "delete a reply",
        }[action],
      )
      .option(...CONFIG_OPTION)
      .option(...URL_OPTION)
      .action(async (id: string, opts: { config: string; url?: string }) => {
        const config = await configFrom(opts);
        await change(
          config,
          (deps) => moderateReply(deps, id, action as ReplyAction),
          { command: "moderate-reply", id, action },
          opts.url,
        );
        process.stdout.write(
          `${{ approve: "Approved", hide: "Hid", delete: "Deleted" }[action]} ${id}.\n`,
        );
      });
  }
  for (const add of [true, false]) {
    program
      .command(`${add ? "block" : "unblock"} <target>`)
      .description(
        add
          ? "block an account (actor URL) or, with --domain, a whole server: its activities are refused, its followers, replies, likes and boosts removed"
          : "lift a block",
      )
      .option("--domain", "the target is a domain (or a handle whose domain is meant)")
      .option(...CONFIG_OPTION)
      .option(...URL_OPTION)
      .action(async (target: string, opts: { config: string; url?: string; domain?: boolean }) => {
        const config = await configFrom(opts);
        let parsed: ReturnType<typeof blockTarget>;
        try {
          parsed = blockTarget(target, opts.domain === true);
        } catch (e) {
          throw new CliError(
            `eleventy-federation: ${(e as Error).message}. Give an actor URL (https://…) or a domain with --domain.`,
          );
        }
        const command = {
          command: add ? "block" : "unblock",
          target,
          domain: opts.domain === true,
        };
        await change(
          config,
          (deps) => (add ? block(deps, parsed) : unblock(deps, parsed)),
          command,
          opts.url,
        );
        const what =
          parsed.kind === "actors" ? `the account ${parsed.value}` : `the domain ${parsed.value}`;
        process.stdout.write(`${add ? "Blocked" : "Unblocked"} ${what}.\n`);
      });
  }
  program
    .command("blocks")
    .description("list the blocked accounts and domains")
    .option(...CONFIG_OPTION)
    .option("--json", "print JSON")
    .action(async (opts: { config: string; json?: boolean }) => {
      const store = await openStore(await configFrom(opts), "read");
      const list = await new Blocks(store).list();
      await store.close();
      const rows = [
        ...list.domains.map((value) => ({ kind: "domain", value })),
        ...list.actors.map((value) => ({ kind: "account", value })),
      ];
      printRecords(rows, opts.json, {
        json: (r) => r,
        empty: "Nothing is blocked.",
        header: ["KIND", "BLOCKED"],
        row: (r) => [r.kind, r.value],
      });
    });
}
