/**
 * The detector functions the engine model knows, grouped into the families it models alike:
 * one place that says which function is scored how (the generator and the verifier import it).
 */
export type FamilyId = 'rare' | 'count' | 'distinct' | 'info' | 'time' | 'metric';

const FAMILIES: Record<FamilyId, readonly string[]> = {
  rare: ['rare', 'freq_rare'],
  count: ['count', 'high_count', 'low_count', 'non_zero_count', 'high_non_zero_count', 'low_non_zero_count'],
  distinct: ['distinct_count', 'high_distinct_count', 'low_distinct_count'],
  info: ['info_content', 'high_info_content', 'low_info_content'],
  time: ['time_of_day', 'time_of_week'],
  metric: ['mean', 'high_mean', 'low_mean', 'min', 'max', 'sum', 'high_sum', 'low_sum', 'median', 'high_median', 'low_median', 'varp', 'high_varp', 'low_varp'],
};

const BY_FUNCTION = new Map<string, FamilyId>(
  (Object.entries(FAMILIES) as [FamilyId, readonly string[]][]).flatMap(([family, fns]) => fns.map((fn) => [fn, family] as const)),
);

export function familyOf(fn: string): FamilyId | undefined {
  return BY_FUNCTION.get(fn);
}

/** Functions whose empty buckets are not data (a zero is "no record", not a low count). */
export function ignoresEmptyBuckets(fn: string): boolean {
  return fn.includes('non_zero') || !['count', 'high_count', 'low_count'].includes(fn);
}
