/**
 * What the engine model needs to know about an anomaly detection job: its bucket span and, per
 * detector, the function family and the fields that split the data into series. Read from the
 * body of `PUT _ml/anomaly_detectors/<job>` (or Kibana's module job format), nothing else.
 */
import { familyOf, type FamilyId } from './registry';

export interface SkipCondition {
  appliesTo: 'actual' | 'typical' | 'diff_from_typical';
  operator: 'lt' | 'lte' | 'gt' | 'gte';
  value: number;
}

export interface DetectorSpec {
  index: number;
  function: string;
  family: FamilyId;
  /** high_* functions score only increases, low_* only decreases; the rest both ways. */
  side: 'high' | 'low' | 'both';
  field?: string;
  by?: string;
  over?: string;
  partition?: string;
  /** `skip_result` custom rules without scope: a result matching every condition is dropped. */
  skipRules: SkipCondition[][];
  description: string;
}

export interface JobSpec {
  bucketSpanMs: number;
  bucketSpan: string;
  timeField: string;
  detectors: DetectorSpec[];
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** ES time value (`15m`, `1h`, `900s`, `1d`) in milliseconds; null when it is not one. */
export function parseTimeValue(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNITS[m[2]];
  return ms > 0 ? ms : null;
}

export class JobSpecError extends Error {}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Reads a job body; throws JobSpecError naming the field that is wrong. */
export function parseJobSpec(body: unknown): JobSpec {
  const job = (body ?? {}) as Record<string, unknown>;
  const ac = job.analysis_config as Record<string, unknown> | undefined;
  if (!ac || typeof ac !== 'object') throw new JobSpecError('analysis_config is missing: give the body of PUT _ml/anomaly_detectors/<job>');
  const span = str(ac.bucket_span) ?? '5m';
  const bucketSpanMs = parseTimeValue(span);
  if (!bucketSpanMs || bucketSpanMs < 1000 || bucketSpanMs > 7 * 86_400_000) {
    throw new JobSpecError(`analysis_config.bucket_span "${String(ac.bucket_span)}" is not a time value between 1s and 7d (e.g. 15m)`);
  }
  if (!Array.isArray(ac.detectors) || ac.detectors.length === 0) throw new JobSpecError('analysis_config.detectors must be a non-empty array');
  const detectors = ac.detectors.map((raw, index): DetectorSpec => {
    const d = (raw ?? {}) as Record<string, unknown>;
    const fn = str(d.function);
    if (!fn) throw new JobSpecError(`analysis_config.detectors[${index}].function is missing`);
    const family = familyOf(fn);
    if (!family) throw new JobSpecError(`analysis_config.detectors[${index}].function "${fn}" is not an anomaly detection function the model knows`);
    const field = str(d.field_name);
    if (family !== 'rare' && family !== 'count' && family !== 'time' && !field) {
      throw new JobSpecError(`analysis_config.detectors[${index}].field_name is required by ${fn}`);
    }
    if (family === 'rare' && !str(d.by_field_name) && !str(d.over_field_name)) {
      throw new JobSpecError(`analysis_config.detectors[${index}]: ${fn} needs by_field_name or over_field_name`);
    }
    return {
      index,
      function: fn,
      family,
      side: fn.startsWith('high_') ? 'high' : fn.startsWith('low_') ? 'low' : 'both',
      field,
      by: str(d.by_field_name),
      over: str(d.over_field_name),
      partition: str(d.partition_field_name),
      skipRules: skipRulesOf(d.custom_rules, index),
      description: str(d.detector_description) ?? fn,
    };
  });
  const dd = (job.data_description ?? {}) as Record<string, unknown>;
  return { bucketSpanMs, bucketSpan: span, timeField: str(dd.time_field) ?? '@timestamp', detectors };
}

export function skipRulesOf(rules: unknown, index: number): SkipCondition[][] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw new JobSpecError(`analysis_config.detectors[${index}].custom_rules must be an array`);
  const out: SkipCondition[][] = [];
  for (const rule of rules as Record<string, unknown>[]) {
    const actions = Array.isArray(rule?.actions) ? rule.actions : [];
    // Scoped rules (filters) and skip_model_update do not change what is reported here.
    if (!actions.includes('skip_result') || rule.scope) continue;
    const conditions = (Array.isArray(rule.conditions) ? rule.conditions : []) as Record<string, unknown>[];
    out.push(
      conditions.map((c) => ({
        appliesTo: (c.applies_to as SkipCondition['appliesTo']) ?? 'actual',
        operator: (c.operator as SkipCondition['operator']) ?? 'lt',
        value: Number(c.value),
      })),
    );
  }
  return out;
}

/** True when a result with these values is dropped by one of the detector's skip_result rules. */
export function skipped(d: DetectorSpec, actual: number, typical: number): boolean {
  return d.skipRules.some(
    (conds) =>
      conds.length > 0 &&
      conds.every((c) => {
        const v = c.appliesTo === 'actual' ? actual : c.appliesTo === 'typical' ? typical : Math.abs(actual - typical);
        return c.operator === 'lt' ? v < c.value : c.operator === 'lte' ? v <= c.value : c.operator === 'gt' ? v > c.value : v >= c.value;
      }),
  );
}

/**
 * The lowest `actual` a detector's skip rules let through when one rule drops every result
 * below a value (dns_tunneling: `actual < 350`), else undefined.
 */
export function keptFrom(d: Pick<DetectorSpec, 'skipRules'>): number | undefined {
  const floors = d.skipRules
    .filter((conds) => conds.length === 1 && conds[0].appliesTo === 'actual' && (conds[0].operator === 'lt' || conds[0].operator === 'lte'))
    .map((conds) => conds[0].value);
  return floors.length ? Math.max(...floors) : undefined;
}

/** The fields that make a record's entity, most specific first (by, then over, then partition). */
export function entityOf(d: DetectorSpec, key: SeriesKey): string | null {
  return key.by ?? key.over ?? key.partition ?? null;
}

export interface SeriesKey {
  partition?: string;
  over?: string;
  by?: string;
}
