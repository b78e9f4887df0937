/**
 * The owner's moderation, one set of functions for the status page, the signed commands and
 * the CLI (which runs them on the store when no sidecar holds it): approve, hide or delete a
 * reply; block or unblock an account or a whole domain. A block also removes what is stored
 * of it: its followers, replies, likes and boosts.
 */
import type { Context } from "../context.js";
import { Blocks, normalizeDomain } from "./blocks.js";
import { InteractionError, Interactions } from "./interactions.js";
import { inDomain, type ReplyState } from "./records.js";

export type ModerationDeps = Pick<Context, "store" | "events" | "log">;

export type ReplyAction = "approve" | "hide" | "delete";

const STATE_OF: Record<Exclude<ReplyAction, "delete">, ReplyState> = {
  approve: "approved",
  hide: "hidden",
};

export const REPLY_ACTIONS: readonly ReplyAction[] = ["approve", "hide", "delete"];

/** Applies the owner's action to reply `id`; throws InteractionError when there is none. */
export async function moderateReply(
  deps: ModerationDeps,
  id: string,
  action: ReplyAction,
): Promise<void> {
  const interactions = new Interactions(deps);
  if (action === "delete") {
    if (!(await interactions.removeReply(id)))
      throw new InteractionError(`there is no reply ${id}`);
  } else {
    await interactions.setState(id, STATE_OF[action]);
  }
  deps.log.info({ reply: id, action }, "the owner moderated a reply");
}

/** What a block names: an account (actor URL) or a domain. */
export type BlockTarget = { kind: "actors"; value: string } | { kind: "domains"; value: string };

/** An actor URL is an account; a bare host (or `@user@host` with `--domain`) a domain. */
export function blockTarget(input: string, domain: boolean): BlockTarget {
  if (!domain && /^https?:\/\//i.test(input.trim()) && URL.canParse(input.trim())) {
    return { kind: "actors", value: new URL(input.trim()).href };
  }
  const value = normalizeDomain(input);
  if (!value)
    throw new InteractionError(`"${input.slice(0, 100)}" is neither an actor URL nor a domain`);
  return { kind: "domains", value };
}

/** Blocks and removes what is stored of the target; how many records went with it. */
export async function block(
  deps: ModerationDeps,
  target: BlockTarget,
): Promise<{ changed: boolean; removed: number }> {
  const changed = await new Blocks(deps.store).change(target.kind, target.value, true);
  const who = target.kind === "actors" ? { actor: target.value } : { domain: target.value };
  let removed = await new Interactions(deps).forget(who);
  for (const f of await deps.store.followers("activitypub")) {
    const hit = target.kind === "actors" ? f.id === target.value : inDomain(f.id, target.value);
    if (hit && (await deps.store.removeFollower(f.id))) removed++;
  }
  deps.log.info({ ...who, removed }, "the owner blocked an account or domain");
  return { changed, removed };
}

export async function unblock(deps: ModerationDeps, target: BlockTarget): Promise<boolean> {
  return new Blocks(deps.store).change(target.kind, target.value, false);
}
