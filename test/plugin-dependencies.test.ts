/**
 * A blog's build loads the plugin only: importing the package's main entry (export ".") in a
 * fresh process loads none of the sidecar's server dependencies (express, pino, lowdb,
 * undici, helmet, @fedify/*, ...), no sidecar file, and not Eleventy itself (the host's).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "./helpers/serve-process.js";

/** The packages the plugin may load at build time; every other dependency is the sidecar's. */
const PLUGIN_DEPENDENCIES = [
  "@11ty/eleventy-fetch",
  "@rowanmanning/feed-parser",
  "@xmldom/xmldom",
  "escape-html",
  // Remote HTML (timeline posts, replies) is sanitized again when the site is built.
  "sanitize-html",
  "zod",
];

interface PackageJson {
  dependencies: Record<string, string>;
  exports: Record<string, { default: string }>;
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as PackageJson;

/** The TypeScript source the package's main export is compiled from (dist/x.js ← x.ts). */
function mainEntrySource(): string {
  const built = pkg.exports["."]?.default ?? "";
  const source = path.join(ROOT, built.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts"));
  assert.ok(existsSync(source), `the main export ${built} has no source at ${source}`);
  return source;
}

/**
 * Imports `entry` in a new Node process with a module hook that records every module
 * resolved (ESM imports and CommonJS requires alike); returns their URLs.
 */
function modulesLoadedBy(entry: string): string[] {
  const script = `
import { registerHooks } from "node:module";
import { pathToFileURL } from "node:url";
const seen = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const r = next(specifier, context);
    seen.add(r.url);
    return r;
  },
});
await import(pathToFileURL(process.argv[1]).href);
process.stdout.write(JSON.stringify([...seen]));
`;
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script, entry],
    { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(run.status, 0, `importing ${entry} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

/** The npm package a module URL belongs to ("@scope/name" or "name"), or null for our own files. */
function packageOf(url: string): string | null {
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return m?.[1] ?? null;
}

test("importing the plugin's entry loads none of the sidecar's dependencies", () => {
  for (const name of PLUGIN_DEPENDENCIES) {
    assert.ok(name in pkg.dependencies, `${name} is listed here but is no longer a dependency`);
  }
  const entry = mainEntrySource();
  const loaded = modulesLoadedBy(entry);
  const packages = new Set(loaded.map(packageOf).filter((p) => p !== null));
  // The hook saw the import: the entry and a dependency it needs are there.
  assert.ok(
    loaded.some((u) => u.endsWith("/plugin/index.ts")),
    loaded.join("\n"),
  );
  assert.ok(packages.has("zod"), [...packages].join(", "));

  const sidecarOnly = [
    ...Object.keys(pkg.dependencies).filter((d) => !PLUGIN_DEPENDENCIES.includes(d)),
    "@11ty/eleventy",
  ];
  assert.deepEqual(
    sidecarOnly.filter((d) => packages.has(d)),
    [],
    "the plugin loads these; import them from sidecar/ only (or, if the plugin needs one, add it to PLUGIN_DEPENDENCIES)",
  );
  const sidecarFiles = loaded.filter((u) => u.startsWith(`file://${path.join(ROOT, "sidecar")}/`));
  assert.deepEqual(sidecarFiles, [], "the plugin imports contract/ and protocol/, never sidecar/");
});
