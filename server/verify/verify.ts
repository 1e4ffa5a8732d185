/**
 * verify: checks the generated stream the way each job will read it. For every job: how many
 * documents its datafeed query selects (with the real query, through the evaluator), how much
 * history each partition has, and how strong its injected anomaly is for its detector.
 */
import { MIN_HISTORY_BEFORE_ANOMALY, type AnomalyPlan, type JobPlan, type ModulePlan, type Plan } from '../generators/plan';
import { DAY } from '../generators/time';
import { BucketSeries, clockDistanceHours, RareStats, summarize, TimeOfDayStats, type Summary } from './detector_stats';
import { compileQuery, type Doc, type DocPredicate } from './query_evaluator';
import { fieldReader, type FieldReader } from './runtime_fields';

export interface AnomalyCheck {
  ordinal: number;
  bucketStart: string;
  scope: Record<string, string>;
  /** What was measured, in words. */
  measure: string;
  actual: number;
  baseline: Summary;
  /** How far the anomaly stands out (a ratio or a distance, see `measure`). */
  strength: number;
  /** The strongest non-injected deviation in the same job, on the same scale. */
  competitor: number;
  pass: boolean;
  problems: string[];
}

export interface JobVerification {
  jobId: string;
  moduleId: string;
  function: string;
  bucketSpan: string;
  docsMatched: number;
  bucketsWithData: number;
  partitions: number;
  /** Fewest buckets of history of any partition (or entity) of the job. */
  minPartitionHistory: number;
  anomalies: AnomalyCheck[];
  pass: boolean;
}

interface JobAccumulator {
  plan: JobPlan;
  module: ModulePlan;
  matches: DocPredicate;
  readers: { by?: FieldReader; partition?: FieldReader; over?: FieldReader; field?: FieldReader };
  docs: number;
  buckets: Set<number>;
  rare?: RareStats;
  series?: BucketSeries;
  tod?: TimeOfDayStats;
}

const COUNTS = new Set(['count', 'high_count', 'non_zero_count', 'high_non_zero_count']);
const DISTINCT = new Set(['distinct_count', 'high_distinct_count']);
const INFO = new Set(['info_content', 'high_info_content']);
const NON_ZERO = new Set(['non_zero_count', 'high_non_zero_count']);

export class Verifier {
  private readonly jobs = new Map<string, JobAccumulator[]>();

  constructor(private readonly plan: Plan) {
    for (const module of plan.modules) {
      this.jobs.set(module.moduleId, module.jobs.map((jp) => {
        const d = jp.job.job.analysis_config.detectors[0];
        const rm = jp.job.datafeed.runtime_mappings;
        const reader = (f?: string) => (f ? fieldReader(f, rm) : undefined);
        const fn = d.function;
        return {
          plan: jp, module, matches: compileQuery(jp.job.datafeed.query),
          readers: { by: reader(d.by_field_name), partition: reader(d.partition_field_name), over: reader(d.over_field_name), field: reader(d.field_name) },
          docs: 0, buckets: new Set(),
          rare: fn === 'rare' ? new RareStats() : undefined,
          series: COUNTS.has(fn) ? new BucketSeries('count') : DISTINCT.has(fn) ? new BucketSeries('distinct') : INFO.has(fn) ? new BucketSeries('info') : undefined,
          tod: fn === 'time_of_day' ? new TimeOfDayStats() : undefined,
        };
      }));
    }
  }

  /** Feeds one chunk of the module's NDJSON (bulk action lines are skipped). */
  addChunk(moduleId: string, ndjson: string): void {
    const jobs = this.jobs.get(moduleId);
    if (!jobs) throw new Error(`Module ${moduleId} is not in the plan`);
    let from = 0;
    while (from < ndjson.length) {
      let to = ndjson.indexOf('\n', from);
      if (to < 0) to = ndjson.length;
      if (!ndjson.startsWith('{"create"', from) && to > from) this.addDoc(jobs, JSON.parse(ndjson.slice(from, to)) as Doc);
      from = to + 1;
    }
  }

  private addDoc(jobs: JobAccumulator[], doc: Doc): void {
    const ts = Date.parse(doc['@timestamp'] as string);
    for (const acc of jobs) {
      if (!acc.matches(doc)) continue;
      const bucket = Math.floor(ts / acc.plan.bucketSpan);
      acc.docs++;
      acc.buckets.add(bucket);
      const r = acc.readers;
      const scope = [r.partition?.(doc), r.over?.(doc), r.by?.(doc)].filter((v) => v !== undefined).join('|');
      if (acc.rare) acc.rare.add(r.partition?.(doc) ?? '', r.by?.(doc) ?? '', bucket);
      else if (acc.tod) acc.tod.add(r.by?.(doc) ?? '', bucket, ts);
      else if (acc.series) acc.series.add(scope, bucket, r.field?.(doc));
    }
  }

  results(): JobVerification[] {
    const out: JobVerification[] = [];
    for (const accs of this.jobs.values()) {
      const injectedValues = accs[0]?.module.injectedValues ?? new Set<string>();
      for (const acc of accs) {
        acc.series?.close();
        out.push(this.evaluate(acc, injectedValues));
      }
    }
    return out;
  }

  private evaluate(acc: JobAccumulator, injected: Set<string>): JobVerification {
    const { plan } = acc;
    const d = plan.job.job.analysis_config.detectors[0];
    const warmupEnd = Math.floor((this.plan.start + DAY) / plan.bucketSpan);
    let partitions = 1;
    let minHistory = acc.buckets.size;
    let anomalies: AnomalyCheck[];
    if (acc.rare) {
      partitions = acc.rare.partitions.size;
      const baselinePartitions = [...acc.rare.partitions.entries()].filter(([p]) => !injected.has(p));
      minHistory = Math.min(...baselinePartitions.map(([, p]) => p.active.length));
      anomalies = plan.anomalies.map((a) => checkRare(acc.rare!, a, plan, warmupEnd, injected));
    } else if (acc.tod) {
      anomalies = plan.anomalies.map((a) => checkTimeOfDay(acc.tod!, a, plan));
    } else {
      const series = acc.series!.series;
      partitions = series.size;
      anomalies = plan.anomalies.map((a) => checkSeries(series, a, plan, d.function, this.plan, customThreshold(d.custom_rules)));
    }
    const problems = acc.docs === 0 ? ['no document matches the datafeed query'] : [];
    return {
      jobId: plan.job.id, moduleId: acc.module.moduleId, function: d.function, bucketSpan: plan.job.job.analysis_config.bucket_span,
      docsMatched: acc.docs, bucketsWithData: acc.buckets.size, partitions, minPartitionHistory: minHistory,
      anomalies, pass: problems.length === 0 && anomalies.length > 0 && anomalies.every((a) => a.pass),
    };
  }
}

/** dns_tunneling's custom rule: results whose actual value is below N are skipped. */
function customThreshold(rules: unknown[] | undefined): number {
  for (const rule of (rules ?? []) as { conditions?: { applies_to: string; operator: string; value: number }[] }[]) {
    for (const c of rule.conditions ?? []) if (c.applies_to === 'actual' && c.operator === 'lt') return c.value;
  }
  return 0;
}

function scopeKey(job: JobPlan, scope: Record<string, string>): string {
  const d = job.job.job.analysis_config.detectors[0];
  return [d.partition_field_name, d.over_field_name, d.by_field_name].filter((f) => f && scope[f] !== undefined).map((f) => scope[f!]).join('|');
}

function checkRare(stats: RareStats, a: AnomalyPlan, job: JobPlan, warmupEnd: number, injected: Set<string>): AnomalyCheck {
  const d = job.job.job.analysis_config.detectors[0];
  const bucket = Math.floor(a.bucketStart / job.bucketSpan);
  const partition = d.partition_field_name ? a.scope[d.partition_field_name] : '';
  const p = stats.partitions.get(partition);
  const problems: string[] = [];
  const seen = p?.values.get(String(a.value)) ?? [];
  const seenBefore = seen.filter((b) => b < bucket).length;
  const history = p ? p.active.filter((b) => b < bucket).length : 0;
  const days = p && p.active.length ? ((p.active[p.active.length - 1] - p.active[0]) * job.bucketSpan) / DAY : 0;
  if (!seen.includes(bucket)) problems.push(`value "${a.value}" is not in its bucket for the job`);
  if (seenBefore > 0) problems.push(`value "${a.value}" already occurs in ${seenBefore} earlier buckets`);
  if (history < 20) problems.push(`partition "${partition}" has only ${history} buckets of history (rare needs 20)`);
  if (days < MIN_HISTORY_BEFORE_ANOMALY / DAY) problems.push(`partition "${partition}" spans only ${days.toFixed(1)} days`);
  // Other values first seen after the warm-up would be competing "new" values.
  const strays = [...stats.partitions.entries()].filter(([part]) => !injected.has(part)).flatMap(([part, ps]) =>
    [...ps.values.entries()].filter(([v, bs]) => bs[0] >= warmupEnd && !injected.has(v)).map(([v]) => `${part ? `${part}/` : ''}${v}`));
  if (strays.length) problems.push(`values first seen after the first day without being injected: ${strays.slice(0, 5).join(', ')}`);
  const presence = p ? [...p.values.entries()].filter(([v]) => !injected.has(v)).map(([, bs]) => bs.length) : [];
  return {
    ordinal: a.ordinal, bucketStart: new Date(a.bucketStart).toISOString(), scope: a.scope,
    measure: 'earlier buckets containing the value (rarest possible: 0) vs buckets of partition history',
    actual: seenBefore, baseline: summarize(presence), strength: history, competitor: strays.length, pass: problems.length === 0, problems,
  };
}

function checkSeries(series: Map<string, Map<number, number>>, a: AnomalyPlan, job: JobPlan, fn: string, plan: Plan, minActual: number): AnomalyCheck {
  const bucketOf = (x: AnomalyPlan) => Math.floor(x.bucketStart / job.bucketSpan);
  const own = new Set(job.anomalies.map(bucketOf));
  const bucket = bucketOf(a);
  const key = scopeKey(job, a.scope);
  const population = INFO.has(fn) && !!job.job.job.analysis_config.detectors[0].over_field_name;
  const withZeros = !NON_ZERO.has(fn) && COUNTS.has(fn);
  const first = Math.floor(plan.start / job.bucketSpan);
  const last = Math.floor(plan.end / job.bucketSpan);
  const valuesOf = (s: Map<number, number>, skip: Set<number>): number[] => {
    if (!withZeros) return [...s.entries()].filter(([b]) => !skip.has(b)).map(([, v]) => v);
    const out: number[] = [];
    for (let b = first; b < last; b++) if (!skip.has(b)) out.push(s.get(b) ?? 0);
    return out;
  };
  const scopeSeries = series.get(key) ?? new Map<number, number>();
  const actual = scopeSeries.get(bucket) ?? 0;
  // Population analysis compares the entity with everyone; otherwise with its own history.
  // (Other anomalies of the same job, in their own buckets, are not baseline.)
  const anomalyScopes = new Set(job.anomalies.map((x) => scopeKey(job, x.scope)));
  const baselineValues = population
    ? [...series.entries()].flatMap(([k, s]) => valuesOf(s, anomalyScopes.has(k) ? own : new Set()))
    : valuesOf(scopeSeries, own);
  const baseline = summarize(baselineValues);
  const z = (v: number, s: Summary) => (v - s.mean) / Math.max(s.std, 1);
  const strength = baseline.max > 0 ? actual / baseline.max : actual;
  // The most extreme bucket of any other scope, against its own history.
  let competitor = 0;
  for (const [k, s] of series) {
    if (population) break;
    const skip = k === key ? own : new Set<number>();
    const values = valuesOf(s, skip);
    const sum = summarize(values);
    competitor = Math.max(competitor, z(sum.max, sum));
  }
  const zActual = z(actual, baseline);
  const problems: string[] = [];
  if (strength < 2) problems.push(`anomaly bucket ${actual} is only ${strength.toFixed(2)}x the baseline maximum ${baseline.max}`);
  if (!population && zActual < 2 * competitor) problems.push(`z-score ${zActual.toFixed(1)} is not twice the strongest other deviation (${competitor.toFixed(1)})`);
  if (actual < minActual) problems.push(`actual ${actual} is below the job's custom rule threshold ${minActual}`);
  if (baseline.n < 20) problems.push(`only ${baseline.n} baseline buckets`);
  const what = COUNTS.has(fn) ? 'events' : DISTINCT.has(fn) ? 'distinct values' : 'compressed bytes of unique strings';
  return {
    ordinal: a.ordinal, bucketStart: new Date(a.bucketStart).toISOString(), scope: a.scope,
    measure: `${what} in the anomaly bucket / baseline maximum per bucket${population ? ' (population)' : ''}`,
    actual, baseline, strength, competitor: population ? 0 : competitor, pass: problems.length === 0, problems,
  };
}

function checkTimeOfDay(stats: TimeOfDayStats, a: AnomalyPlan, job: JobPlan): AnomalyCheck {
  const user = a.scope['user.name'];
  const bucket = Math.floor(a.bucketStart / job.bucketSpan);
  const own = new Set(job.anomalies.map((x) => Math.floor(x.bucketStart / job.bucketSpan)));
  const buckets = stats.buckets(user);
  const target = buckets.get(bucket);
  const problems: string[] = [];
  if (!target) problems.push(`${user} has no event in the anomaly bucket`);
  if (target && target.n !== a.eventCount) problems.push(`${user} has ${target.n - a.eventCount} other events in the anomaly bucket`);
  const baseline = [...buckets.entries()].filter(([b]) => !own.has(b)).map(([, v]) => v.mean);
  const distances = target ? baseline.map((m) => clockDistanceHours(m, target.mean)) : [];
  const nearest = distances.length ? Math.min(...distances) : 0;
  const days = new Set([...buckets.keys()].map((b) => Math.floor((b * job.bucketSpan) / DAY))).size;
  if (days < 3) problems.push(`${user} is active on only ${days} days`);
  // Strongest competitor: any other user's bucket far from all of that user's other buckets.
  let competitor = 0;
  const injected = new Set(job.anomalies.map((x) => `${x.scope['user.name']}@${Math.floor(x.bucketStart / job.bucketSpan)}`));
  for (const other of stats.entities()) {
    const ob = stats.buckets(other);
    const skip = new Set([...ob.keys()].filter((b) => injected.has(`${other}@${b}`)));
    const means = [...ob.entries()].filter(([b]) => !skip.has(b)).map(([, v]) => v.mean);
    if (means.length < 2) continue;
    const sorted = [...means].sort((x, y) => x - y);
    for (let i = 0; i < sorted.length; i++) {
      const prev = sorted[(i - 1 + sorted.length) % sorted.length];
      const next = sorted[(i + 1) % sorted.length];
      competitor = Math.max(competitor, Math.min(clockDistanceHours(sorted[i], prev), clockDistanceHours(sorted[i], next)));
    }
  }
  if (nearest < 3) problems.push(`the logon is only ${nearest.toFixed(1)} h from ${user}'s usual hours`);
  if (nearest <= competitor) problems.push(`another user has an equally unusual bucket (${competitor.toFixed(1)} h)`);
  return {
    ordinal: a.ordinal, bucketStart: new Date(a.bucketStart).toISOString(), scope: a.scope,
    measure: 'hours between the logon and the nearest of the user\'s earlier logon times',
    actual: target?.mean ?? 0, baseline: summarize(baseline), strength: nearest, competitor, pass: problems.length === 0, problems,
  };
}
