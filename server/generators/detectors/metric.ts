/**
 * Metric family: a numeric field's mean, median, min, max, sum or variance per bucket of a series.
 * The baseline values of the field stay within ±20 % of a level (field_values.ts). The spike is a
 * few events with values ten times the level (a sum gets a burst of five-fold values); `min` gets
 * a value near zero; the low side takes the series' events away for the bucket and puts a few
 * events with a tenth of the level in their place.
 */
import { ecsType, isNumericType } from '../../../common/ecs';
import { peakPerBucket, scopeOf, spread, type ShapedAnomaly, type ShapeInput } from '../anomalies';
import { buildEntity } from '../entities';
import { fieldKind } from '../lanes';
import { drop, scopeEntities } from './drop';
import type { FamilySpec, FunctionSpec } from './types';

/** The field's usual value: the middle of its baseline pool. */
function level(input: ShapeInput): { field: string; kind: NonNullable<ReturnType<typeof fieldKind>>; level: number } {
  const field = input.job.job.analysis_config.detectors[0].field_name!;
  const kind = fieldKind(field)!;
  const values = input.lane.pools[input.lane.kinds.indexOf(kind)].entities.map((e) => Number(e.fields[field])).sort((a, b) => a - b);
  return { field, kind, level: values[Math.floor(values.length / 2)] };
}

/** n events in the bucket carrying `factor` x the level. */
function outliers(input: ShapeInput, factor: number, count: (lambda: number) => number, what: string): ShapedAnomaly {
  const { field, kind, level: usual } = level(input);
  const { forced, scope } = scopeEntities(input);
  const lambda = peakPerBucket(input, scope);
  const n = count(lambda);
  const value = Math.max(1, Math.round(usual * factor));
  const entity = buildEntity(kind, String(value), input.world.flavor, { novel: true });
  const where = Object.entries(scopeOf(input.job, forced))
    .map(([f, v]) => `${f}=${v}`)
    .join(', ');
  return {
    scope: scopeOf(input.job, forced),
    field,
    value,
    description: `${n} events with ${field} ${value} (${what}, usually about ${usual}) in one bucket${where ? ` for ${where}` : ''}`,
    events: spread(input.bucketStart, input.bucketSpan, n).map((ts) => ({ ts, lane: input.lane, forced: { ...forced, [kind]: entity } })),
  };
}

const high: FunctionSpec = {
  baseRate: 8,
  anomaly: 'events with values ten times the usual, in one bucket',
  shape: (input) => outliers(input, 10, (lambda) => Math.max(4, Math.ceil(lambda)), 'ten times the usual'),
};
const sum: FunctionSpec = {
  baseRate: 8,
  steady: true,
  anomaly: 'a burst of events with five times the usual value, in one bucket',
  shape: (input) => outliers(input, 5, (lambda) => Math.max(10, Math.ceil(2 * lambda)), 'five times the usual'),
};
const low = (n: (lambda: number) => number, factor: number, what: string): FunctionSpec => ({
  baseRate: 16,
  steady: true,
  anomaly: `the series’ values drop to ${what} for one bucket`,
  shape: (input) => {
    const { field, kind, level: usual } = level(input);
    const value = Math.max(1, Math.round(usual * factor));
    const entity = buildEntity(kind, String(value), input.world.flavor, { novel: true });
    return drop(input, { replacements: n, override: () => ({ [kind]: entity }), what: `${field} ${value} (usually about ${usual})`, field, value });
  },
});

export const metricFamily: FamilySpec<'metric'> = {
  family: 'metric',
  description: 'a numeric field’s mean, median, min, max, sum or variance per bucket of each series',
  check: (d) => {
    if (!d.field_name) return `${d.function} needs field_name (a numeric field)`;
    const type = ecsType(d.field_name);
    if (type !== undefined && !isNumericType(type)) return `${d.function} needs a numeric field_name; ECS maps ${d.field_name} as ${type}`;
    return undefined;
  },
  functions: {
    mean: high,
    high_mean: high,
    median: high,
    high_median: high,
    max: high,
    varp: high,
    high_varp: high,
    sum,
    high_sum: sum,
    min: {
      baseRate: 8,
      anomaly: 'an event with a value near zero, in one bucket',
      shape: (input) => outliers(input, 0.02, () => 2, 'near zero'),
    },
    low_mean: low((lambda) => Math.max(4, Math.ceil(lambda)), 0.1, 'a tenth'),
    low_median: low((lambda) => Math.max(4, Math.ceil(lambda)), 0.1, 'a tenth'),
    // One constant value (no variance) well below the usual: a drop whether the variance or the level is measured.
    low_varp: low((lambda) => Math.max(4, Math.ceil(lambda)), 0.1, 'one constant tenth'),
    low_sum: low(() => 1, 0.05, 'one small value'),
  },
};
