/** The daily delivery counters in PostgreSQL: one row per UTC day, the last DAILY_DAYS kept. */
import { DAILY_DAYS, emptyDay, utcDay } from "../tables/daily-deliveries.js";
import type { DailyDeliveries, DeliveryOutcome } from "../types.js";
import type { Db } from "./transaction.js";

const DAY_MS = 86_400_000;

/** Column names by outcome: fixed strings, never caller input. */
export const COLUMNS: Record<DeliveryOutcome, string> = {
  delivered: "delivered",
  retried: "retried",
  refused: "refused",
  gaveUp: "gave_up",
};

/** The first day kept when today is the day of `now`. */
export function oldestDay(now: number): string {
  return utcDay(now - (DAILY_DAYS - 1) * DAY_MS);
}

/** Adds one `outcome` to today's row and drops days past the window (same transaction as the caller's). */
export async function countDelivery(
  db: Db,
  outcome: DeliveryOutcome,
  now = Date.now(),
): Promise<void> {
  const col = COLUMNS[outcome];
  await db.query(
    `INSERT INTO daily_deliveries (day, ${col}) VALUES ($1, 1)
     ON CONFLICT (day) DO UPDATE SET ${col} = daily_deliveries.${col} + 1`,
    [utcDay(now)],
  );
  await db.query("DELETE FROM daily_deliveries WHERE day < $1", [oldestDay(now)]);
}

interface DayRow {
  day: string;
  delivered: number;
  retried: number;
  refused: number;
  gave_up: number;
}

/** See `Store.dailyDeliveries`: the last `days` days, oldest first, zeros filled in. */
export async function dailyDeliveries(
  db: Db,
  days: number,
  now = Date.now(),
): Promise<DailyDeliveries[]> {
  const n = Math.max(0, Math.min(DAILY_DAYS, Math.floor(days)));
  if (n === 0) return [];
  const first = utcDay(now - (n - 1) * DAY_MS);
  const { rows } = await db.query<DayRow>(
    "SELECT * FROM daily_deliveries WHERE day >= $1 AND day <= $2",
    [first, utcDay(now)],
  );
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: DailyDeliveries[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const day = utcDay(now - i * DAY_MS);
    const r = byDay.get(day);
    out.push(
      r
        ? { day, delivered: r.delivered, retried: r.retried, refused: r.refused, gaveUp: r.gave_up }
        : emptyDay(day),
    );
  }
  return out;
}
