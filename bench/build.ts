/**
 * Build time with and without the plugin, on the same generated 10,000-post site, in one run.
 * Each round builds it plain, with the plugin, with the plugin but `shortLinks: false`, and
 * with the plugin rendering an interactions export (two replies, counts and the buttons on
 * every other post), in a rotating order, each in a fresh process, on tmpfs when there is
 * one. The ratio is median(plugin) / median(plain) in wall time; CPU times (user + kernel,
 * all threads, so parallel GC counts too) are printed beside it, and the interactions' cost
 * as median(plugin-interactions) / median(plugin). Target: ≤ 1.05.
 * Run: npm run bench:build [-- posts rounds]   (defaults 10000 and 5; capped at 20000 and 9)
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
const rounds = clamp(process.argv[3], 5, 9);

const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
const dir = await mkdtemp(path.join(base, "eleventy-federation-bench-"));
const input = path.join(dir, "site");
const runner = fileURLToPath(new URL("./build-run.ts", import.meta.url));
// The children run inside the site (Eleventy looks for directory data files relative to the
// working directory), so tsx is named by its resolved location, not by package name.
const tsx = import.meta.resolve("tsx");

type Mode = "plain" | "plugin" | "plugin-no-short-links" | "plugin-interactions";
const MODES: readonly Mode[] = ["plain", "plugin", "plugin-no-short-links", "plugin-interactions"];
interface Time {
  ms: number;
  cpuMs: number;
}

async function build(mode: Mode): Promise<Time> {
  const output = path.join(dir, `_site-${mode}`);
  await rm(output, { recursive: true, force: true });
  const { stdout } = await run(process.execPath, ["--import", tsx, runner, mode, ".", output], {
    cwd: input,
    maxBuffer: 1 << 20,
  });
  const t = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Time;
  console.log(`${mode.padEnd(22)} ${seconds(t.ms)} wall, ${seconds(t.cpuMs)} CPU`);
  return t;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** The plugin run must have done its work: one notice and one short link (a redirect) per post. */
async function checkPluginOutput(): Promise<void> {
  const manifestPath = path.join(dir, "_site-plugin", "federation", "manifest.json");
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { notices: unknown[] };
  const shortLinks = await readdir(path.join(dir, "_site-plugin", "s"));
  if (manifest.notices.length !== posts || shortLinks.length !== posts) {
    throw new Error(
      `plugin build incomplete: ${manifest.notices.length} notices, ${shortLinks.length} short links`,
    );
  }
  const page = path.join(dir, "_site-plugin", "s", shortLinks[0] ?? "", "index.html");
  if (
    !(await readFile(page, "utf8")).includes('<meta http-equiv="refresh" content="0; url=https://')
  ) {
    throw new Error(`${page} is not a redirect page`);
  }
  const replied = path.join(dir, "_site-plugin-interactions", "posts", "post-0", "index.html");
  const html = await readFile(replied, "utf8");
  if (!html.includes('class="federation-reply') || !html.includes("3 likes")) {
    throw new Error(`${replied} shows no replies or counts`);
  }
}

try {
  console.log(`generating ${posts} posts in ${input}`);
  await generateSite(input, posts);
  const times = new Map<Mode, Time[]>(MODES.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round: no mode always runs first (or last) on a warmer machine.
    for (let k = 0; k < MODES.length; k++) {
      const mode = MODES[(r + k) % MODES.length] as Mode;
      times.get(mode)?.push(await build(mode));
    }
  }
  await checkPluginOutput();

  const med = (mode: Mode, key: keyof Time) => median((times.get(mode) ?? []).map((t) => t[key]));
  for (const key of ["ms", "cpuMs"] as const) {
    const label = key === "ms" ? "wall" : "CPU ";
    console.log(
      `median ${label}: ${MODES.map((m) => `${m} ${seconds(med(m, key))}`).join(", ")} (${posts} posts, ${rounds} rounds)`,
    );
  }
  const ratio = (mode: Mode, key: keyof Time) => (med(mode, key) / med("plain", key)).toFixed(3);
  console.log(
    `CPU-time ratio: plugin ${ratio("plugin", "cpuMs")}, without short links ${ratio("plugin-no-short-links", "cpuMs")}`,
  );
  console.log(`wall-time ratio without short links: ${ratio("plugin-no-short-links", "ms")}`);
  const withReplies = (key: keyof Time) =>
    (med("plugin-interactions", key) / med("plugin", key)).toFixed(3);
  console.log(
    `interactions rendered ÷ plugin alone: wall ${withReplies("ms")}, CPU ${withReplies("cpuMs")} (${Math.ceil(posts / 2)} posts with 2 replies, counts and buttons)`,
  );
  console.log(`ratio: ${ratio("plugin", "ms")}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
