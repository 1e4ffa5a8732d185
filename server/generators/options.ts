/** Generation options as the generator takes them; their limits are the one schema's (common/options.ts). */
import type { CatalogueJob, JobVariant } from '../../common/catalogue/types';
import { assertOption, DEFAULT_OPTIONS, endRangeProblem, LIMITS, OptionsError, parseIsoUtc, show } from '../../common/options';
import { THEMES } from './vocabulary';

export interface GenerateOptions {
  /** Module ids, job ids or the older generator's names (resolved with a notice). */
  modules: string[];
  /** Days of baseline history before the end (min 3: ML needs days to learn; default 14). */
  historyDays?: number;
  /** End of the data (default: now, floored to 15 minutes). */
  end?: Date | number | string;
  /** Same seed, same bytes. */
  seed?: string;
  /** Multiplies baseline events per bucket. */
  scale?: number;
  /** Headline anomalies per job (default 1). */
  anomaliesPerJob?: number;
  /** Data stream namespace: logs-<dataset>-<namespace>. */
  namespace?: string;
  /** Entity names: users, hosts, domains. */
  theme?: string;
  /** 'classic' job ids (stacks before 9.4) or '_ea' ids (9.4+). */
  variant?: JobVariant;
  /** The user's own jobs (server/custom_jobs), generated in the custom module; `modules` may then be empty. */
  customJobs?: CatalogueJob[];
  /** The anomalies as one intrusion over about the last day (timeline.ts; default false: the last buckets). */
  timeline?: boolean;
}

export interface ResolvedOptions {
  modules: string[];
  historyDays: number;
  end: number;
  seed: string;
  scale: number;
  anomaliesPerJob: number;
  namespace: string;
  theme: string;
  variant: JobVariant;
  customJobs?: CatalogueJob[];
  /** Only when on: a plan without it is the same value as before the option existed. */
  timeline?: true;
}

export const DEFAULTS = { ...DEFAULT_OPTIONS, variant: DEFAULT_OPTIONS.variant as JobVariant };
export const MIN_HISTORY_DAYS = LIMITS.historyDays.min;
export const MAX_HISTORY_DAYS = LIMITS.historyDays.max;
export { OptionsError };

/**
 * Validates options with the one schema (common/options.ts); every message names the option and
 * what is allowed. `end` may also be a Date or epoch milliseconds here (programmatic callers).
 */
export function resolveOptions(options: GenerateOptions, now = Date.now()): ResolvedOptions {
  const historyDays = options.historyDays ?? DEFAULTS.historyDays;
  assertOption('historyDays', historyDays);
  const endRaw = options.end ?? now;
  let end: number;
  if (typeof endRaw === 'string') {
    assertOption('end', endRaw);
    end = parseIsoUtc(endRaw)!;
  } else {
    end = endRaw instanceof Date ? endRaw.getTime() : endRaw;
    const problem = endRangeProblem(end, now);
    if (problem) throw new OptionsError(`end ${problem}`, 'end');
  }
  const scale = options.scale ?? DEFAULTS.scale;
  assertOption('scale', scale);
  const anomaliesPerJob = options.anomaliesPerJob ?? DEFAULTS.anomaliesPerJob;
  assertOption('anomaliesPerJob', anomaliesPerJob);
  const namespace = options.namespace ?? DEFAULTS.namespace;
  assertOption('namespace', namespace);
  const theme = options.theme ?? DEFAULTS.theme;
  assertOption('theme', theme);
  // The schema's names and the generator's themes are the same list (a test says so); own keys only.
  if (!Object.prototype.hasOwnProperty.call(THEMES, theme))
    throw new OptionsError(`theme must be one of ${Object.keys(THEMES).join(', ')}; got ${show(theme)}`, 'theme');
  const variant = options.variant ?? DEFAULTS.variant;
  assertOption('variant', variant);
  const seed = options.seed ?? DEFAULTS.seed;
  assertOption('seed', seed);
  const timeline = options.timeline ?? DEFAULTS.timeline;
  assertOption('timeline', timeline);
  if (!options.modules?.length && !options.customJobs?.length) throw new OptionsError('modules must choose at least one module or job', 'modules');
  return {
    modules: options.modules ?? [],
    historyDays,
    end,
    seed,
    scale,
    anomaliesPerJob,
    namespace,
    theme,
    variant,
    ...(options.customJobs?.length ? { customJobs: options.customJobs } : {}),
    ...(timeline ? { timeline: true as const } : {}),
  };
}
