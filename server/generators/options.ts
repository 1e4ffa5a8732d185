/** Generation options, their defaults and their limits. */
import type { JobVariant } from '../../common/catalogue/types';
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
}

export const DEFAULTS = { historyDays: 14, seed: 'ml-demo-data', scale: 1, anomaliesPerJob: 1, namespace: 'default', theme: 'acme', variant: 'classic' as JobVariant };
export const MIN_HISTORY_DAYS = 3;
export const MAX_HISTORY_DAYS = 90;

export class OptionsError extends Error {}

/** Validates options; every message names the option and what is allowed. */
export function resolveOptions(options: GenerateOptions, now = Date.now()): ResolvedOptions {
  const historyDays = options.historyDays ?? DEFAULTS.historyDays;
  if (!Number.isFinite(historyDays) || historyDays < MIN_HISTORY_DAYS || historyDays > MAX_HISTORY_DAYS) {
    throw new OptionsError(`historyDays must be between ${MIN_HISTORY_DAYS} and ${MAX_HISTORY_DAYS} (ML models need at least ${MIN_HISTORY_DAYS} days to learn a baseline); got ${options.historyDays}`);
  }
  const endRaw = options.end ?? now;
  const end = typeof endRaw === 'number' ? endRaw : new Date(endRaw).getTime();
  if (!Number.isFinite(end)) throw new OptionsError(`end must be a date (ISO 8601 or epoch milliseconds); got ${String(options.end)}`);
  const scale = options.scale ?? DEFAULTS.scale;
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1000) throw new OptionsError(`scale must be a number above 0 and at most 1000; got ${options.scale}`);
  const anomaliesPerJob = options.anomaliesPerJob ?? DEFAULTS.anomaliesPerJob;
  if (!Number.isInteger(anomaliesPerJob) || anomaliesPerJob < 1 || anomaliesPerJob > 10) throw new OptionsError(`anomaliesPerJob must be an integer from 1 to 10; got ${options.anomaliesPerJob}`);
  const namespace = options.namespace ?? DEFAULTS.namespace;
  // Elastic's data stream naming: lowercase, no '-', no special characters, at most 100 bytes.
  if (!/^[a-z0-9_]{1,100}$/.test(namespace)) throw new OptionsError(`namespace must be 1-100 characters of a-z, 0-9 and _ (no "-"); got "${namespace}"`);
  const theme = options.theme ?? DEFAULTS.theme;
  if (!THEMES[theme]) throw new OptionsError(`theme must be one of ${Object.keys(THEMES).join(', ')}; got "${theme}"`);
  const variant = options.variant ?? DEFAULTS.variant;
  if (variant !== 'classic' && variant !== 'ea') throw new OptionsError(`variant must be "classic" or "ea"; got "${variant}"`);
  if (!options.modules?.length) throw new OptionsError('modules: choose at least one module or job');
  return { modules: options.modules, historyDays, end, seed: options.seed ?? DEFAULTS.seed, scale, anomaliesPerJob, namespace, theme, variant };
}
