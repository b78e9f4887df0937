/**
 * One timed build for bench/build.ts, in its own process so no build warms another's caches.
 * Usage: build-run.ts <plain|plugin|plugin-no-short-links|plugin-interactions> <input dir> <output dir>.
 * Prints one JSON line.
 */
import { Eleventy } from "@11ty/eleventy";
import { INTERACTIONS_EXPORT_FILE } from "../contract/interactions-export.js";
import eleventyFederation from "../plugin/index.js";
import { SITE_URL } from "./build-site.js";

const MODES = ["plain", "plugin", "plugin-no-short-links", "plugin-interactions"];
const [mode, input, output] = process.argv.slice(2);
if (!MODES.includes(mode ?? "") || !input || !output) {
  throw new Error(`usage: build-run.ts <${MODES.join("|")}> <input dir> <output dir>`);
}

const started = performance.now();
const cpuStarted = process.cpuUsage();
const elev = new Eleventy(input, output, {
  configPath: false,
  quietMode: true,
  config: (cfg) => {
    const c = cfg as {
      addPlugin(p: unknown, o: unknown): void;
      addShortcode(name: string, fn: () => string): void;
    };
    if (mode === "plain") {
      // The layout names the plugin's shortcodes: plain Eleventy gets empty ones.
      for (const name of ["federationCounts", "federationReplies", "federationButtons"])
        c.addShortcode(name, () => "");
      return;
    }
    c.addPlugin(eleventyFederation, {
      siteUrl: SITE_URL,
      sidecarUrl: SITE_URL,
      profile: { nickname: "bench", fullname: "Bench Mark" },
      shortLinks: mode !== "plugin-no-short-links",
      ...(mode === "plugin-interactions"
        ? { interactions: { file: INTERACTIONS_EXPORT_FILE } }
        : {}),
    });
  },
});
await elev.write();
const cpu = process.cpuUsage(cpuStarted);
// CPU time (all threads, user + kernel: file writes and parallel GC included) beside wall time:
// on a shared machine it shows whether a slow run did more work or only waited for a CPU.
console.log(
  JSON.stringify({ mode, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 }),
);
