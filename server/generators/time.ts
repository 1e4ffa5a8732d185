/** Time vocabulary: durations as Elasticsearch writes them, bucket grids, hours of the week. */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** The generator steps through time in 15-minute ticks, the smallest bucket_span of any job. */
export const TICK = 15 * MINUTE;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR, d: DAY };

/** '15m', '4h', '90s', '1d' -> milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`Cannot parse duration "${text}" (expected e.g. 15m, 4h, 1d)`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** A rule's `from` ('now-45m', 'now-6h') -> its look-back in milliseconds. */
export function parseLookback(from: string): number {
  const match = /^now-(\d+(?:ms|s|m|h|d))$/.exec(from.trim());
  if (!match) throw new Error(`Cannot parse rule look-back "${from}" (expected now-<duration>)`);
  return parseDuration(match[1]);
}

/** ML aligns buckets to multiples of bucket_span since the epoch. */
export function floorTo(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

/** 0 = Monday 00:00 ... 167 = Sunday 23:00, at a given UTC offset in hours. */
export function hourOfWeek(ms: number, utcOffsetHours = 0): number {
  const local = ms + utcOffsetHours * HOUR;
  const day = (new Date(local).getUTCDay() + 6) % 7;
  return day * 24 + new Date(local).getUTCHours();
}
