/**
 * The low side of a function (low_count, low_mean, low_distinct_count…): the engine scores a
 * bucket far below what the series' history expects, so the anomaly is a drop — every baseline
 * event of the anomaly's scope that the job reads is taken away for the bucket (suppression.ts)
 * and a few events of the shaper's choosing take their place (none for low_count, one for
 * low_non_zero_count, low values for low_mean…). The scope is the module incident's entities
 * where the lane has them (a service account and its host work around the clock, so their
 * bucket is never empty by nature), else the busiest entity of each scope field.
 */
import { compileQuery } from '../../verify/query_evaluator';
import { incidentFor, peakPerBucket, scopeOf, seriesEntity, seriesFields, spread, type ShapedAnomaly, type ShapeInput } from '../anomalies';
import type { Entity, EntityKind } from '../entities';
import { fieldKind } from '../lanes';

/** The anomaly's scope: one entity per partition/by/over field of the detector. */
export function scopeEntities(input: ShapeInput): { forced: Partial<Record<EntityKind, Entity>>; scope: Partial<Record<EntityKind, Entity>> } {
  const forced = incidentFor(input.lane, input.incident);
  const d = input.job.job.analysis_config.detectors[0];
  const scope: Partial<Record<EntityKind, Entity>> = {};
  for (const field of seriesFields(d)) {
    const kind = fieldKind(field)!;
    const first = forced[kind] ?? input.lane.pools[input.lane.kinds.indexOf(kind)].entities[0];
    // Each extra anomaly of the job drops another series (anomalies.ts seriesEntity).
    forced[kind] = seriesEntity(input.lane, kind, forced, first, input.ordinal, field) ?? first;
    scope[kind] = forced[kind];
  }
  return { forced, scope };
}

export interface DropSpec {
  /** Events that replace the baseline, given the baseline's peak per bucket. */
  replacements(lambda: number): number;
  /** Entity overrides of the i-th replacement (a low value, the one usual value…). */
  override?(i: number): Partial<Record<EntityKind, Entity>>;
  /** What is left, in words ("no events", "1 event", "values about 10 % of usual"). */
  what: string;
  /** The reported field and value (default: count, the number of replacements). */
  field?: string;
  value?: string | number;
}

export function drop(input: ShapeInput, spec: DropSpec): ShapedAnomaly {
  const { forced, scope } = scopeEntities(input);
  const lambda = peakPerBucket(input, scope);
  const n = spec.replacements(lambda);
  const where = Object.entries(scopeOf(input.job, forced))
    .map(([f, v]) => `${f}=${v}`)
    .join(', ');
  return {
    scope: scopeOf(input.job, forced),
    field: spec.field ?? 'count',
    value: spec.value ?? n,
    description: `drop: ${spec.what} in one bucket${where ? ` for ${where}` : ''} (baseline peak about ${lambda.toFixed(1)} events per bucket)`,
    events: spread(input.bucketStart, input.bucketSpan, n).map((ts, i) => ({ ts, lane: input.lane, forced: { ...forced, ...spec.override?.(i) } })),
    suppress: [
      {
        jobId: input.job.id,
        from: input.bucketStart,
        to: input.bucketStart + input.bucketSpan,
        entities: Object.values(scope) as Entity[],
        matches: compileQuery(input.job.datafeed.query),
      },
    ],
  };
}

/**
 * A bucket in which the series' events all carry the first value of field_name (a drop of a
 * distinct count or of information content): as many events as usual, one value. `what` says it
 * in the anomaly's description.
 */
export function oneValueDrop(input: ShapeInput, what: (field: string, value: unknown) => string): ShapedAnomaly {
  const field = input.job.job.analysis_config.detectors[0].field_name!;
  const kind = fieldKind(field)!;
  const one = input.lane.pools[input.lane.kinds.indexOf(kind)].entities[0];
  return drop(input, {
    replacements: (lambda) => Math.max(3, Math.round(lambda)),
    override: () => ({ [kind]: one }),
    what: what(field, one.fields[field]),
    field,
    value: 1,
  });
}
