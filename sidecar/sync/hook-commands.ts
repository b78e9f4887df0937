/** The signed commands `POST /hooks/command` runs: a table built in the composition root. */
import type { Context } from "../context.js";
import { ProtocolError } from "../web/errors.js";

export type HookCommandHandler = (
  ctx: Context,
  args: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

export class HookCommands {
  readonly #handlers = new Map<string, HookCommandHandler>();

  /** Adds a command (body `{"command": name, ...args}`); a name given again replaces it. */
  register(name: string, handler: HookCommandHandler): this {
    this.#handlers.set(name, handler);
    return this;
  }

  get(name: unknown): HookCommandHandler | undefined {
    return typeof name === "string" ? this.#handlers.get(name) : undefined;
  }

  names(): string[] {
    return [...this.#handlers.keys()];
  }
}

/** A required string argument of a command, or a 400 naming it. */
export function stringArg(args: Record<string, unknown>, name: string): string {
  const v = args[name];
  if (typeof v !== "string" || v === "")
    throw new ProtocolError(400, `command "${String(args.command)}" needs a string "${name}"`);
  return v;
}
