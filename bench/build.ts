/**
 * Build time with and without the plugin, on the same generated 10,000-post site, in one run.
 * Builds alternate (plain, plugin, plugin, plain, …) in fresh processes on tmpfs when there
 * is one; the ratio is median(plugin) / median(plain). Target: ≤ 1.05.
 * Run: npm run bench:build [-- posts rounds]   (defaults 10000 and 3; capped at 20000 and 5)
 * The last line printed is `ratio: N`.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { generateSite } from "./build-site.js";

const run = promisify(execFile);
const clamp = (v: string | undefined, dflt: number, max: number) => {
  const n = Number(v ?? dflt);
  return Number.isFinite(n) ? Math.min(Math.max(Math.floor(n), 1), max) : dflt;
};
const posts = clamp(process.argv[2], 10_000, 20_000);
const rounds = clamp(process.argv[3], 3, 5);

const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
const dir = await mkdtemp(path.join(base, "eleventy-federation-bench-"));
const input = path.join(dir, "site");
const runner = fileURLToPath(new URL("./build-run.ts", import.meta.url));
// The children run inside the site (Eleventy looks for directory data files relative to the
// working directory), so tsx is named by its resolved location, not by package name.
const tsx = import.meta.resolve("tsx");

async function build(mode: "plain" | "plugin"): Promise<number> {
  const output = path.join(dir, `_site-${mode}`);
  await rm(output, { recursive: true, force: true });
  const { stdout } = await run(process.execPath, ["--import", tsx, runner, mode, ".", output], {
    cwd: input,
    maxBuffer: 1 << 20,
  });
  const { ms } = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { ms: number };
  console.log(`${mode.padEnd(6)} ${(ms / 1000).toFixed(2)} s`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

try {
  console.log(`generating ${posts} posts in ${input}`);
  await generateSite(input, posts);
  const times = { plain: [] as number[], plugin: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    // ABBA order: neither mode always runs first on a warmer machine.
    const order = r % 2 === 0 ? (["plain", "plugin"] as const) : (["plugin", "plain"] as const);
    for (const mode of order) times[mode].push(await build(mode));
  }

  // The plugin run must have done its work: one notice and one short link per post.
  const manifest = JSON.parse(
    await readFile(path.join(dir, "_site-plugin", "federation", "manifest.json"), "utf8"),
  );
  const shortLinks = await readdir(path.join(dir, "_site-plugin", "s"));
  if (manifest.notices.length !== posts || shortLinks.length !== posts) {
    throw new Error(
      `plugin build incomplete: ${manifest.notices.length} notices, ${shortLinks.length} short links`,
    );
  }

  const plain = median(times.plain);
  const plugin = median(times.plugin);
  console.log(
    `median plain ${(plain / 1000).toFixed(2)} s, plugin ${(plugin / 1000).toFixed(2)} s (${posts} posts, ${rounds} rounds)`,
  );
  console.log(`ratio: ${(plugin / plain).toFixed(3)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
