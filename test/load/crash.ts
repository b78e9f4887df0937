// Shared by the test/crash-*.test.ts files: a seeded random source for the kill points
// (CRASH_SEED=<n> replays the same choice of delays; the timing itself still varies) and a
// tally of the kills made, reported by each test.

/** mulberry32: small, fast, good enough to spread kill delays. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed for this run: CRASH_SEED if set, else a fresh one (printed by the tests). */
export function crashSeed(): number {
  const given = Number(process.env.CRASH_SEED);
  return Number.isInteger(given) && given > 0 ? given : Math.floor(Math.random() * 2 ** 31) + 1;
}

/** A whole number of milliseconds in [lo, hi). */
export function between(random: () => number, lo: number, hi: number): number {
  return Math.floor(lo + random() * (hi - lo));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
