/**
 * The detector functions the engine model knows, grouped into the families it models alike:
 * one place that says which function is scored how (the generator and the verifier import it).
 */
export type FamilyId = 'rare' | 'count' | 'distinct' | 'info' | 'time' | 'metric';

export const FAMILIES = {
  rare: ['rare', 'freq_rare'],
  count: ['count', 'high_count', 'low_count', 'non_zero_count', 'high_non_zero_count', 'low_non_zero_count'],
  distinct: ['distinct_count', 'high_distinct_count', 'low_distinct_count'],
  info: ['info_content', 'high_info_content', 'low_info_content'],
  time: ['time_of_day', 'time_of_week'],
  metric: ['mean', 'high_mean', 'low_mean', 'min', 'max', 'sum', 'high_sum', 'low_sum', 'median', 'high_median', 'low_median', 'varp', 'high_varp', 'low_varp'],
} as const satisfies Record<FamilyId, readonly string[]>;

/** Every detector function the engine model and the generator know (server/generators/detectors/ has one entry per name). */
export type DetectorFunction = (typeof FAMILIES)[FamilyId][number];
/** The functions of one family. */
export type FunctionsOf<F extends FamilyId> = (typeof FAMILIES)[F][number];

export const DETECTOR_FUNCTIONS: readonly DetectorFunction[] = Object.values(FAMILIES).flat();

export function isDetectorFunction(fn: string): fn is DetectorFunction {
  return BY_FUNCTION.has(fn);
}

/** high_* functions score only increases, low_* only decreases; the rest both ways. */
export function sideOf(fn: string): 'high' | 'low' | 'both' {
  return fn.startsWith('high_') ? 'high' : fn.startsWith('low_') ? 'low' : 'both';
}

const BY_FUNCTION: Map<string, FamilyId> = new Map<string, FamilyId>(
  (Object.entries(FAMILIES) as [FamilyId, readonly string[]][]).flatMap(([family, fns]) => fns.map((fn) => [fn, family] as const)),
);

export function familyOf(fn: string): FamilyId | undefined {
  return BY_FUNCTION.get(fn);
}

/**
 * The engine models the detector's series as a time series with a daily and weekly profile:
 * counts, distinct counts, metrics, and info content without a population (over field). The
 * rest are scored against a population or a set of values (rare, time of day, population info).
 */
export function hasDailyProfile(fn: string, over?: string): boolean {
  const family = familyOf(fn);
  if (!family || family === 'rare' || family === 'time') return false;
  return !over || family === 'count';
}

/** Functions whose empty buckets are not data (a zero is "no record", not a low count). */
export function ignoresEmptyBuckets(fn: string): boolean {
  return fn.includes('non_zero') || !['count', 'high_count', 'low_count'].includes(fn);
}
