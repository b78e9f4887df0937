/**
 * Tells the owner when a reply waits for approval, if they asked: a JSON POST to
 * `interactions.notifyWebhook` (through siteHttp: the operator's own URL may be on this
 * machine) and/or `interactions.notifyCommand` run with the reply as JSON on its standard
 * input (no shell). Failures are logged, never thrown: the reply is stored either way.
 */
import { execFile } from "node:child_process";
import type { Context } from "../context.js";
import type { StoredReply } from "./records.js";

/** A command that takes longer than this is stopped. */
const COMMAND_TIMEOUT_MS = 30_000;

export interface ReplyWaitingMessage {
  type: "reply-waiting";
  reply: {
    id: string;
    url: string;
    post: string;
    author: StoredReply["author"];
    content: string;
    receivedAt: string;
  };
  /** Where the owner approves it. */
  statusPage: string;
}

function message(ctx: Pick<Context, "config">, r: StoredReply): ReplyWaitingMessage {
  return {
    type: "reply-waiting",
    reply: {
      id: r.id,
      url: r.url,
      post: r.postUri,
      author: r.author,
      content: r.content,
      receivedAt: r.receivedAt,
    },
    statusPage: `${ctx.config.publicUrl.replace(/\/+$/, "")}/admin#replies`,
  };
}

function runCommand(argv: string[], input: string): Promise<void> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = execFile(
      file ?? "",
      args,
      { timeout: COMMAND_TIMEOUT_MS },
      (err, _out, stderr) =>
        err
          ? reject(new Error(`${err.message}${stderr ? `: ${stderr.slice(0, 300)}` : ""}`))
          : resolve(),
    );
    child.stdin?.end(input);
  });
}

/** Sends the notifications one reply asks for; what failed is logged. */
export async function notifyReplyWaiting(
  ctx: Pick<Context, "config" | "siteHttp" | "log">,
  r: StoredReply,
): Promise<void> {
  const { notifyWebhook, notifyCommand } = ctx.config.interactions;
  const body = JSON.stringify(message(ctx, r));
  if (notifyWebhook) {
    try {
      const res = await ctx.siteHttp.post(notifyWebhook, body, "application/json");
      if (res.status < 200 || res.status >= 300) {
        ctx.log.warn(
          { status: res.status },
          "the reply notification webhook refused the call; check interactions.notifyWebhook",
        );
      }
    } catch (err) {
      ctx.log.warn(
        { reason: (err as Error).message },
        "the reply notification webhook could not be reached; check interactions.notifyWebhook",
      );
    }
  }
  if (notifyCommand) {
    await runCommand(notifyCommand, body).catch((err: unknown) => {
      ctx.log.warn(
        { reason: (err as Error).message, command: notifyCommand[0] },
        "the reply notification command failed; check interactions.notifyCommand",
      );
    });
  }
}

/** Listens for waiting replies (started by the composition root); returns the stop. */
export function startReplyNotifier(ctx: Context): () => void {
  const { notifyWebhook, notifyCommand } = ctx.config.interactions;
  if (!notifyWebhook && !notifyCommand) return () => undefined;
  const listener = (r: StoredReply) => void notifyReplyWaiting(ctx, r);
  ctx.events.on("reply-waiting", listener);
  return () => ctx.events.off("reply-waiting", listener);
}
