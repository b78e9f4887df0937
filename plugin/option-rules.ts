/** The words the plugin's option schemas are written in: zod types whose errors say what is wrong, what was given and what to do. */
import { z } from "zod";

/** One bad option: which, what is wrong with it, and what to do. */
export interface Problem {
  option: string;
  message: string;
  fix: string;
}

/** A message or a fix, fixed or made from the value given. */
type Words = string | ((input: unknown) => string);

/** One rule of a value: when `holds` is false, `message` (", got <value>" added when a string) and `fix`. */
export interface Rule<T> {
  holds: (value: T) => boolean;
  message: Words;
  fix: Words;
}

/** Splits problems' "<message>. Fix: <fix>" in the zod message (zod carries one string). */
const FIX = ". Fix: ";

/** How a bad value is quoted in a message: short, and never more than one line. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const s =
    typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export const bytes = (s: string) => Buffer.byteLength(s, "utf8");

const word = (w: Words, input: unknown, got: boolean) =>
  typeof w === "string" ? (got ? `${w}, got ${show(input)}` : w) : w(input);

/** A custom issue's message: "<message>. Fix: <fix>". */
export const said = (message: string, fix: string) => `${message}${FIX}${fix}`;

/** A zod error function writing "<message>, got <value>. Fix: <fix>". */
export const says =
  (message: Words, fix: Words) =>
  (issue: { input?: unknown }): string =>
    `${word(message, issue.input, true)}${FIX}${word(fix, issue.input, false)}`;

/** `schema` with each rule checked in order; the first that fails is the one reported. */
export function ruled<S extends z.ZodType>(
  schema: S,
  rules: readonly Rule<z.output<S>>[],
  skip: (value: z.output<S>) => boolean = () => false,
): S {
  return rules.reduce(
    (s, r) =>
      s.refine((v: z.output<S>) => skip(v) || r.holds(v), {
        error: says(r.message, r.fix),
        abort: true,
      }) as S,
    schema,
  );
}

/** A strict object of options: unknown keys and non-objects are named with their fix. */
export function options<Shape extends z.ZodRawShape>(
  shape: Shape,
  notObjectFix: string,
  required?: string,
) {
  const known = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") {
        return `is not an option of this plugin${FIX}remove it or check its spelling; the options here are ${known}`;
      }
      if (issue.input === undefined && required) return `is required${FIX}${required}`;
      return says("must be an object", notObjectFix)(issue);
    },
  });
}

/** Text of at most `maxBytes` bytes of UTF-8, as OMB servers count. */
export const text = (maxBytes: number) =>
  ruled(z.string({ error: says("must be text", "quote the value") }), [
    {
      holds: (v) => bytes(v) <= maxBytes,
      message: (v) =>
        `must be at most ${maxBytes} bytes in UTF-8 (OMB servers count bytes), got ${bytes(String(v))}`,
      fix: "shorten it",
    },
  ]);

/** Text that is not blank. */
export const nonBlank = (message: string, fix: string) =>
  ruled(z.string({ error: says(message, fix) }), [{ holds: (v) => v.trim() !== "", message, fix }]);

export const boolean = z.boolean({
  error: says("must be true or false", "write true or false, without quotes"),
});

/** A whole number in [min, max]. */
export const wholeNumber = (min: number, max: number, example: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  const fix = `e.g. ${example}`;
  return ruled(z.number({ error: says(message, fix) }), [
    { holds: (v) => Number.isInteger(v) && v >= min && v <= max, message, fix },
  ]);
};

export const envName = ruled(
  z.string({ error: says("must be the name of an environment variable", envFix()) }),
  [
    {
      holds: (v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v),
      message: "must be the name of an environment variable",
      fix: envFix(),
    },
  ],
);

function envFix() {
  return "give the variable's name (e.g. FEDERATION_HOOK_SECRET), never the secret itself";
}

/** A site path option such as "/s/" or "timeline": safe characters between slashes. */
export const PAGE_PATH = /^\/?[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/;

export const pagePath = (example: string, fix: string) => {
  const message = `must be a path such as "${example}" (letters, digits, ".", "_", "~", "-" between slashes)`;
  return ruled(z.string({ error: says(message, fix) }), [
    { holds: (v) => PAGE_PATH.test(v), message, fix },
  ]);
};

/** "feeds.1.url" as the user wrote it: "feeds[1].url". */
function optionName(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
    .join("");
}

function problem(option: string, said: string): Problem {
  const at = said.indexOf(FIX);
  return at < 0
    ? { option, message: said, fix: "see the README's list of options" }
    : { option, message: said.slice(0, at), fix: said.slice(at + FIX.length) };
}

/** Every problem zod found, unknown keys first, then in the order the schema lists them. */
export function problemsOf(error: z.ZodError): Problem[] {
  const rank = (i: z.core.$ZodIssue) => (i.code === "unrecognized_keys" ? 0 : 1);
  return [...error.issues]
    .sort((a, b) => rank(a) - rank(b))
    .flatMap((i) =>
      i.code === "unrecognized_keys"
        ? i.keys.map((k) => problem(optionName([...i.path, k]), i.message))
        : [problem(optionName(i.path) || "(options)", i.message)],
    );
}

/** An absolute http(s) URL without user name or password. */
/** An absolute http(s) URL without credentials. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const u = new URL(value);
  return (u.protocol === "http:" || u.protocol === "https:") && u.username === "" && !u.password;
}

/** What an export option is called and where the sidecar keeps that export. */
export interface ExportOptionNames {
  /** The option: "interactions". */
  option: string;
  /** The export's file beside the sidecar's data file: "interactions.json". */
  fileName: string;
  /** Its path on the sidecar: "/admin/interactions.json". */
  endpointPath: string;
}

/**
 * An option naming where the build reads one of the sidecar's exports (plugin/export-reader.ts):
 * `{ file }`, its file beside the sidecar's data file, or `{ url: true | "<url>", secretEnv? }`,
 * the sidecar's signed endpoint. Exactly one of file and url.
 */
export function exportSource({ option, fileName, endpointPath }: ExportOptionNames) {
  const urlMessage = "must be true or an absolute http(s) URL";
  const urlFix = `write true for <sidecarUrl>${endpointPath}, or the whole URL`;
  return options(
    {
      file: nonBlank(
        `must be the path of the sidecar's ${fileName}`,
        `give the path, relative to where Eleventy runs, e.g. "federation-data/${fileName}"`,
      ).optional(),
      url: z
        .union(
          [
            z.boolean(),
            ruled(z.string(), [{ holds: isHttpUrl, message: urlMessage, fix: urlFix }]),
          ],
          { error: says(urlMessage, urlFix) },
        )
        .optional(),
      secretEnv: envName.optional(),
    },
    `write ${option}: { file: "federation-data/${fileName}" } or ${option}: { url: true }`,
  ).superRefine((v, ctx) => {
    const hasFile = v.file !== undefined;
    if (hasFile !== (v.url !== undefined && v.url !== false)) return;
    ctx.addIssue({
      code: "custom",
      message: said(
        hasFile ? "has both file and url" : "needs file or url",
        "use file when the build runs beside the sidecar, url (true) when it runs elsewhere",
      ),
    });
  });
}
