/**
 * The config file's errors in words: each names the key, the value given, an example of a
 * valid one; an unknown key gets the nearest valid key and the list of valid ones.
 */
import type { z } from "zod";

/** Valid values to show for the keys people get wrong most. */
const EXAMPLES: Record<string, string> = {
  siteUrl: '"https://alice.example/"',
  publicUrl: '"https://alice.example/" (where the sidecar is reachable)',
  dataFile: '"federation-data/store.json"',
  manifest: '"https://alice.example/federation/manifest.json" or "_site/federation/manifest.json"',
  port: "8080",
  host: '"127.0.0.1"',
};

/** The object schema's keys at `path`, looking through defaults and optionals. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s = schema as unknown as { def?: { innerType?: unknown }; shape?: Record<string, unknown> };
  for (let depth = 0; depth < 20; depth++) {
    if (s.shape && path.length === 0) return Object.keys(s.shape);
    if (s.shape && path.length > 0) {
      const next = s.shape[String(path[0])];
      if (!next) return [];
      return keysAt(next as z.ZodType, path.slice(1));
    }
    if (!s.def?.innerType) return [];
    s = s.def.innerType as typeof s;
  }
  return [];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j] ?? 0;
      row[j] = Math.min(here + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length] ?? 0;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of path)
    v = v && typeof v === "object" ? (v as Record<string, unknown>)[String(k)] : undefined;
  return v;
}

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One line per problem, for `invalid config <file>:`. */
export function configProblems(schema: z.ZodType, error: z.ZodError, raw: unknown): string[] {
  return error.issues.flatMap((i) => {
    const name = i.path.join(".");
    if (i.code === "unrecognized_keys") {
      const valid = keysAt(schema, i.path);
      return i.keys.map((k) => {
        const nearest = [...valid].sort((a, b) => distance(k, a) - distance(k, b))[0];
        const hint =
          nearest && distance(k, nearest) <= Math.max(2, Math.floor(k.length / 3))
            ? ` Did you mean "${nearest}"?`
            : "";
        const where = name ? ` in "${name}"` : "";
        return `${[...i.path, k].join(".")}: unknown key "${k}"${where}.${hint} Valid keys: ${valid.join(", ")}.`;
      });
    }
    const value = valueAt(raw, i.path);
    const example = EXAMPLES[name] ? ` Example: "${name}": ${EXAMPLES[name]}.` : "";
    if (value === undefined) return [`${name || "(file)"}: required.${example}`];
    const message = i.message.replace(/^Invalid input: /, "").replace(/, received \w+$/, "");
    return [`${name || "(file)"}: ${message}, got ${shown(value)}.${example}`];
  });
}
