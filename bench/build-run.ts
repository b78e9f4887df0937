/**
 * One timed build for bench/build.ts, in its own process so no build warms another's caches.
 * Usage: build-run.ts <plain|plugin|plugin-no-short-links> <input dir> <output dir>.
 * Prints one JSON line.
 */
import { Eleventy } from "@11ty/eleventy";
import eleventyFederation from "../plugin/index.js";

const [mode, input, output] = process.argv.slice(2);
if (!["plain", "plugin", "plugin-no-short-links"].includes(mode ?? "") || !input || !output) {
  throw new Error(
    "usage: build-run.ts <plain|plugin|plugin-no-short-links> <input dir> <output dir>",
  );
}

const started = performance.now();
const cpuStarted = process.cpuUsage();
const elev = new Eleventy(input, output, {
  configPath: false,
  quietMode: true,
  config: (cfg) => {
    const c = cfg as { addPlugin(p: unknown, o: unknown): void };
    if (mode !== "plain") {
      c.addPlugin(eleventyFederation, {
        siteUrl: "https://blog.example.com/",
        sidecarUrl: "https://blog.example.com/",
        profile: { nickname: "bench", fullname: "Bench Mark" },
        shortLinks: mode === "plugin",
      });
    }
  },
});
await elev.write();
const cpu = process.cpuUsage(cpuStarted);
// CPU time (all threads, user + kernel: file writes and parallel GC included) beside wall time:
// on a shared machine it shows whether a slow run did more work or only waited for a CPU.
console.log(
  JSON.stringify({ mode, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 }),
);
