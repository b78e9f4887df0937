/** The daily delivery counters: one small record per UTC day, the last DAILY_DAYS days kept. */
import type { DailyDeliveries, DeliveryOutcome } from "../types.js";
import type { Op, Tables } from "./tables.js";

/** Days of counters kept; older ones are dropped when a new day starts and at compaction. */
export const DAILY_DAYS = 30;
const DAY_MS = 86_400_000;

/** The UTC day of `ms` as `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A day with nothing counted yet. */
export function emptyDay(day: string): DailyDeliveries {
  return { day, delivered: 0, retried: 0, refused: 0, gaveUp: 0 };
}

/** Adds one `outcome` to today's record; the first count of a day also drops expired days. */
export function countOps(t: Tables, outcome: DeliveryOutcome, now = Date.now()): Op[] {
  const day = utcDay(now);
  const current = t.get<DailyDeliveries>("daily", day);
  const next = { ...(current ?? emptyDay(day)) };
  next[outcome]++;
  return [...(current ? [] : expiredDailyOps(t, now)), ["daily", day, next]];
}

/** The records older than the DAILY_DAYS days ending today. */
export function expiredDailyOps(t: Tables, now = Date.now()): Op[] {
  const oldest = utcDay(now - (DAILY_DAYS - 1) * DAY_MS);
  return [...t.maps.daily.keys()].filter((day) => day < oldest).map((day) => ["daily", day, null]);
}

/** The last `days` UTC days (today included, at most DAILY_DAYS), oldest first, zeros filled in. */
export function recentDays(t: Tables, days: number, now = Date.now()): DailyDeliveries[] {
  const n = Math.max(0, Math.min(DAILY_DAYS, Math.floor(days)));
  const out: DailyDeliveries[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const day = utcDay(now - i * DAY_MS);
    out.push({ ...(t.get<DailyDeliveries>("daily", day) ?? emptyDay(day)) });
  }
  return out;
}
