/** A protocol wing: what one protocol adds to the core (routes, a transport, commands). */
import type { Router } from "express";
import type { Context } from "./context.js";
import type { Transport } from "./delivery/transport.js";
import type { Followed, Protocol } from "./store/types.js";
import type { HookCommands } from "./sync/hook-commands.js";

/** What a wing's transport is built from: the core pieces, before the routes exist. */
export type WingDeps = Pick<Context, "config" | "store" | "http" | "log" | "events">;

export interface Wing {
  readonly protocol: Protocol;
  /** Sends the outbound log's entries to this protocol's destinations. */
  transport(deps: WingDeps): Transport;
  /** The protocol's HTTP endpoints, mounted on the sidecar's app. */
  routes(ctx: Context): Router;
  /** Stops following an account of this protocol (the store record is already gone). */
  unfollowed(ctx: Context, account: Followed): Promise<void>;
  /** Adds the protocol's signed commands to `POST /hooks/command`. */
  commands?(commands: HookCommands): void;
  /** Stops the wing's own background work (timers, retries) at shutdown. */
  stop?(ctx: Context): void;
}
