import type { Context } from "../context.js";
import { registerHookCommand, stringArg } from "../sync/hook-routes.js";
import { ProtocolError } from "../web/errors.js";
import { FOLLOWING_EVENT } from "./inbound-notice.js";

/**
 * Stops following an author. OMB has no unsubscribe message: the access token is deleted,
 * so their service's next push gets 403 and it drops the subscription on its side.
 * False when the site did not follow that URI.
 */
export async function unfollow(
  ctx: Pick<Context, "store" | "log" | "events">,
  uri: string,
): Promise<boolean> {
  const removed = await ctx.store.removeFollowing(uri);
  if (removed) {
    ctx.log.info({ listenee: uri }, "stopped following; their next push gets 403");
    ctx.events.emit(FOLLOWING_EVENT, uri);
  }
  return removed;
}

/** `eleventy-federation following remove <uri>` while the sidecar holds the store. */
registerHookCommand("remove-following", async (ctx, args) => {
  const uri = stringArg(args, "uri");
  if (!(await unfollow(ctx, uri))) throw new ProtocolError(404, `the site does not follow ${uri}`);
  return { removed: uri };
});
