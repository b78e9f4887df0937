/**
 * Property-based fuzzing with fast-check, sized by the environment: `FUZZ_RUNS` generated
 * inputs per property (`npm test` uses the small default, `npm run test:fuzz` 10,000) and
 * `FUZZ_SEED` to replay a failure (the failure message prints the seed to use).
 */
import { performance } from "node:perf_hooks";
import fc from "fast-check";

function positiveInt(raw: string | undefined): number | undefined {
  const n = Number(raw);
  return raw && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** How many generated inputs (or requests): FUZZ_RUNS when set, else `quick` (for `npm test`). */
export function fuzzRuns(quick: number): number {
  return positiveInt(process.env.FUZZ_RUNS) ?? quick;
}

/** Generated inputs per property. */
export const FUZZ_RUNS = fuzzRuns(200);
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

export interface PropertyOptions {
  /** Runs for this property, default FUZZ_RUNS (big inputs ask for fewer). */
  runs?: number;
  /** One run taking longer fails the property: super-linear blow-ups count as hangs. */
  maxRunMs?: number;
}

/** A property to run later (in a worker thread, see isolated.ts); it throws on failure. */
export type Property = () => void;

/**
 * `predicate` must hold for every generated value; a run that throws, or takes longer than
 * `maxRunMs` (default 2 s: normal runs take microseconds), is a counterexample.
 */
export function property<T>(
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => void,
  opts: PropertyOptions = {},
): Property {
  const maxRunMs = opts.maxRunMs ?? 2000;
  return () => {
    fc.assert(
      fc.property(arb, (value) => {
        const started = performance.now();
        predicate(value);
        const ms = performance.now() - started;
        if (ms > maxRunMs) throw new Error(`one run took ${ms.toFixed(0)} ms (limit ${maxRunMs})`);
      }),
      {
        numRuns: opts.runs ?? FUZZ_RUNS,
        ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }),
      },
    );
  };
}

/**
 * Calls `fn`; returns its result, or the error when it is an instance of `allowed` (the
 * documented error class). Any other throw fails the property, naming what was thrown.
 */
export function onlyThrows<R, E extends Error>(
  allowed: abstract new (...args: never[]) => E,
  fn: () => R,
): R | E {
  try {
    return fn();
  } catch (err) {
    if (err instanceof allowed) return err;
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new Error(`threw ${what} (only ${allowed.name} is documented)`, { cause: err });
  }
}

/** True when `s` has no lone surrogate (it can be UTF-8 encoded and percent-encoded). */
export function isWellFormed(s: string): boolean {
  return !/\p{Cs}/u.test(s);
}

// ── shared arbitraries ───────────────────────────────────────────────────────────────────

/** One UTF-16 code unit from the surrogate range: a lone half that no UTF-8 can carry. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Text a hostile peer could send: any code point, control characters, lone surrogates. */
export function hostileText(maxLength = 200): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: "binary", maxLength }),
    fc.string({ unit: "binary-ascii", maxLength }),
    fc.string({
      unit: fc.oneof(fc.string({ unit: "binary", maxLength: 1 }), loneSurrogate),
      maxLength,
    }),
  );
}

/** Strings built from `tokens` (syntax fragments) mixed with hostile text. */
export function tokenSoup(tokens: readonly string[], maxTokens = 40): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, hostileText(8)), {
      maxLength: maxTokens,
    })
    .map((parts) => parts.join(""));
}

/** Applies random edits (delete, duplicate, insert a token, flip a character) to `base`. */
export function mutated(base: string, tokens: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(
    fc.constantFrom("delete", "duplicate", "insert", "flip"),
    fc.nat({ max: base.length }),
    fc.nat({ max: 200 }),
    fc.oneof(fc.constantFrom(...tokens), hostileText(4)),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let s = base;
    for (const [kind, at, len, token] of edits) {
      const i = Math.min(at, s.length);
      const j = Math.min(i + len, s.length);
      if (kind === "delete") s = s.slice(0, i) + s.slice(j);
      else if (kind === "duplicate") s = s.slice(0, j) + s.slice(i, j) + s.slice(j);
      else if (kind === "insert") s = s.slice(0, i) + token + s.slice(i);
      else s = s.slice(0, i) + token.slice(0, 1) + s.slice(i + 1);
    }
    return s;
  });
}
