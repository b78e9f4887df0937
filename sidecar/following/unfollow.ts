/** Stopping to follow an account, whatever its protocol: the record goes, its wing is told. */
import type { Context } from "../context.js";
import { type HookCommands, stringArg } from "../sync/hook-commands.js";
import { ProtocolError } from "../web/errors.js";

/** False when the site did not follow `id`. */
export async function unfollow(ctx: Context, id: string): Promise<boolean> {
  const account = await ctx.store.followedAccount(id);
  if (!account || !(await ctx.store.removeFollowed(id))) return false;
  await ctx.wings.get(account.protocol)?.unfollowed(ctx, account);
  ctx.events.emit("following", id);
  return true;
}

/** `eleventy-federation following remove <uri>` while the sidecar holds the store. */
export function followingCommands(commands: HookCommands): HookCommands {
  return commands.register("remove-following", async (ctx, args) => {
    const uri = stringArg(args, "uri");
    if (!(await unfollow(ctx, uri)))
      throw new ProtocolError(404, `the site does not follow ${uri}`);
    return { removed: uri };
  });
}
