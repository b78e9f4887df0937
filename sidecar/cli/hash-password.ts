/** `eleventy-federation hash-password`: reads the owner's password on stdin, prints its scrypt hash. */
import type { Command } from "commander";
import { hashPassword } from "../auth/password.js";
import { InputCancelled, readHiddenLine } from "./hidden-input.js";
import { CliError } from "./run.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** On a terminal: the password twice, never echoed; a mismatch or Ctrl-C stops with a message. */
async function askTwice(): Promise<string> {
  try {
    const first = await readHiddenLine(process.stdin, process.stderr, "Owner password: ");
    if (!first) return "";
    const again = await readHiddenLine(process.stdin, process.stderr, "The same again: ");
    if (again !== first)
      throw new CliError("eleventy-federation: the two passwords differ; nothing was printed.");
    return first;
  } catch (e) {
    if (e instanceof InputCancelled) throw new CliError("eleventy-federation: cancelled.");
    throw e;
  }
}

export function registerHashPassword(program: Command): void {
  program
    .command("hash-password")
    .description(
      "read the owner's password (on a terminal: typed twice, not shown; else stdin), print the hash for FEDERATION_OWNER_PASSWORD_HASH",
    )
    .action(async () => {
      const password = process.stdin.isTTY
        ? await askTwice()
        : (await readStdin()).replace(/\r?\n$/, "");
      if (!password)
        throw new CliError(
          "eleventy-federation: no password given. Example: printf %s 'a long passphrase' | npx eleventy-federation hash-password (in a checkout: npm run --silent hash-password)",
        );
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
}
