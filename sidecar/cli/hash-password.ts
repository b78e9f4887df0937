/** `eleventy-federation hash-password`: reads the owner's password on stdin, prints its scrypt hash. */
import type { Command } from "commander";
import { hashPassword } from "../auth/password.js";
import { CliError } from "./run.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function registerHashPassword(program: Command): void {
  program
    .command("hash-password")
    .description(
      "read the owner's password on stdin, print the hash for FEDERATION_OWNER_PASSWORD_HASH",
    )
    .action(async () => {
      if (process.stdin.isTTY) process.stderr.write("Password (then Enter and Ctrl-D): ");
      const password = (await readStdin()).replace(/\r?\n$/, "");
      if (!password)
        throw new CliError(
          "eleventy-federation: no password on stdin. Example: printf %s 'secret' | eleventy-federation hash-password",
        );
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
}
