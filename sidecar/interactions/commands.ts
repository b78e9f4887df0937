/** The signed commands of moderation (`POST /hooks/command`), for the CLI while the sidecar holds the store. */
import { type HookCommands, stringArg } from "../sync/hook-commands.js";
import { ProtocolError } from "../web/errors.js";
import { InteractionError } from "./interactions.js";
import {
  block,
  blockTarget,
  moderateReply,
  REPLY_ACTIONS,
  type ReplyAction,
  unblock,
} from "./moderation.js";

/** InteractionError (no such reply, not a domain) as the 404/400 the CLI prints. */
async function answering<T>(status: 400 | 404, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof InteractionError) throw new ProtocolError(status, e.message);
    throw e;
  }
}

export function moderationCommands(commands: HookCommands): HookCommands {
  return commands
    .register("moderate-reply", async (ctx, args) => {
      const id = stringArg(args, "id");
      const action = stringArg(args, "action") as ReplyAction;
      if (!REPLY_ACTIONS.includes(action)) {
        throw new ProtocolError(400, `action must be one of ${REPLY_ACTIONS.join(", ")}`);
      }
      await answering(404, () => moderateReply(ctx, id, action));
      return { [action]: id };
    })
    .register("block", async (ctx, args) => {
      const target = await answering(400, async () =>
        blockTarget(stringArg(args, "target"), args.domain === true),
      );
      return { ...(await block(ctx, target)), ...target };
    })
    .register("unblock", async (ctx, args) => {
      const target = await answering(400, async () =>
        blockTarget(stringArg(args, "target"), args.domain === true),
      );
      return { changed: await unblock(ctx, target), ...target };
    });
}
