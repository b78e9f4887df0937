// What the load benches (inbound.ts, fanout.ts) share: reading their options and printing.

/** A whole number from a command-line value, kept within lo..hi (lo when it is no number). */
export const clamp = (v: string, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, Math.floor(Number(v) || lo)));

const FSYNC_MODES: Record<string, boolean[]> = { on: [true], off: [false], both: [false, true] };

/** `--fsync on|off|both`: the journal modes to measure, in order (`both`: off, then on). */
export const fsyncModes = (value: string): boolean[] => FSYNC_MODES[value] ?? [false, true];

/** The upper median (the middle one of an odd count). */
export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
export const out = (line: string) => process.stdout.write(`${line}\n`);

/** `p`, or a rejection naming `what` once it took longer than `limitMs` (phases are bounded). */
export function withinMs<T>(what: string, p: Promise<T>, limitMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${limitMs} ms`)), limitMs);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}
