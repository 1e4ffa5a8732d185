/**
 * The engine model: given an anomaly detection job and the documents its datafeed sends (in time
 * order), predicts the record score Elastic's anomaly detector gives each injected entity in its
 * bucket, and the highest record anywhere else (a false alert if it reaches a rule threshold).
 *
 * Stage 1 (buckets.ts) aggregates documents per bucket and series; stage 2 (families/) replays
 * the buckets in order through a simulator of the detector's family, which learns as the engine
 * learns and scores each bucket before learning it. Constants: params.ts.
 */
import { fieldReader } from '../verify/runtime_fields';
import { BucketAggregator, type ClosedBucket, type Reader } from './buckets';
import { entityOf, parseJobSpec, type DetectorSpec, type JobSpec, type SeriesKey } from './detector';
import { CountSimulator } from './families/count';
import { PopulationSimulator } from './families/population';
import { RareSimulator } from './families/rare';
import { TimeOfDaySimulator } from './families/time_of_day';
import type { EngineRecord, SimContext, Simulator } from './families/types';
import { DEFAULT_PARAMS, type EngineParams } from './params';
import { hasDailyProfile } from './registry';

export interface Injection {
  label: string;
  bucketStartMs: number;
  /** The record's entity (by, else over, else partition value); null for a job without one. */
  entity: string | null;
}

export interface InjectionPrediction {
  label: string;
  bucketStart: string;
  entity: string | null;
  score: number;
  detector?: string;
  actual?: number;
  typical?: number;
  why: string[];
}

export interface BaselineRecord {
  bucketStart: string;
  detector: string;
  entity: string | null;
  score: number;
  why: string[];
}

export interface Prediction {
  injections: InjectionPrediction[];
  /** Highest record outside the injections' buckets (learning period included). */
  baselineMax: number;
  baselineOver50: number;
  /** Highest such record in the last 48 hours before the end. */
  lateMax: number;
  /** The strongest few baseline records, with their reasons. */
  topBaseline: BaselineRecord[];
  docs: number;
  lateDocs: number;
}

function simulatorFor(ctx: SimContext): Simulator {
  const d = ctx.d;
  if (d.family === 'rare') return new RareSimulator(ctx);
  if (d.family === 'time') return new TimeOfDaySimulator(ctx);
  return hasDailyProfile(d.function, d.over) ? new CountSimulator(ctx) : new PopulationSimulator(ctx);
}

export interface EngineModelOptions {
  injections?: Injection[];
  params?: EngineParams;
  /** How to read a field of a document (the datafeed's runtime fields, say). */
  reader?: (field: string) => Reader;
  /** Sees every closed bucket (the fitting script records them to replay with other constants). */
  tap?: (detector: number, bucket: ClosedBucket) => void;
}

export class EngineModel {
  readonly spec: JobSpec;
  private readonly aggregators: BucketAggregator[];
  private readonly sims: Simulator[];
  private readonly injected: (InjectionPrediction & { bucket: number })[];
  private baselineMax = 0;
  private baselineOver50 = 0;
  /** (bucket, score) of every scored baseline record: the late maximum is known only at the end. */
  private scored: number[] = [];
  private top: (EngineRecord & { d: DetectorSpec })[] = [];
  private endMs = 0;
  private lastTs = -Infinity;
  private replaying = false;
  private docs = 0;
  private lateDocs = 0;

  constructor(
    job: unknown,
    private readonly options: EngineModelOptions = {},
  ) {
    this.spec = parseJobSpec(job);
    const span = this.spec.bucketSpanMs;
    const params = options.params ?? DEFAULT_PARAMS;
    const read = options.reader ?? ((f: string) => fieldReader(f, undefined));
    this.injected = (options.injections ?? []).map((i) => ({
      label: i.label,
      bucketStart: new Date(i.bucketStartMs).toISOString(),
      entity: i.entity,
      bucket: Math.floor(i.bucketStartMs / span),
      score: 0,
      why: ['no document of the injected entity in its bucket reaches the job'],
    }));
    this.sims = [];
    this.aggregators = this.spec.detectors.map((d) => {
      const ctx: SimContext = {
        d,
        spanMs: span,
        params,
        emit: (r) => this.record(d, r),
        watched: (bucket, key) => this.injected.some((i) => i.bucket === bucket && matches(d, key, i.entity)),
      };
      const sim = simulatorFor(ctx);
      this.sims.push(sim);
      const r = (f?: string) => (f ? read(f) : undefined);
      return new BucketAggregator(d, span, { field: r(d.field), by: r(d.by), over: r(d.over), partition: r(d.partition) }, (b) => {
        options.tap?.(d.index, b);
        sim.onBucket(b);
      });
    });
  }

  /** Replays a recorded closed bucket into detector `detector`'s simulator (fitting only). */
  replay(detector: number, bucket: ClosedBucket): void {
    this.sims[detector].onBucket(bucket);
  }

  /** Like finish, for a model fed by `replay`. */
  finishReplay(endMs: number): Prediction {
    this.replaying = true;
    return this.finish(endMs);
  }

  get timeField(): string {
    return this.spec.timeField;
  }

  /** One document the datafeed sends, at `tsMs`. */
  add(tsMs: number, doc: Record<string, unknown>): void {
    if (tsMs > this.lastTs) this.lastTs = tsMs;
    for (const a of this.aggregators) a.add(tsMs, doc);
  }

  /** Time advances to `endMs`: every bucket before it is final. Returns the prediction. */
  finish(endMs?: number): Prediction {
    const span = this.spec.bucketSpanMs;
    this.endMs = endMs ?? (Number.isFinite(this.lastTs) ? (Math.floor(this.lastTs / span) + 1) * span : 0);
    const endIndex = Math.floor(this.endMs / span);
    if (!this.replaying) for (const a of this.aggregators) a.closeBefore(endIndex);
    this.docs = Math.max(0, ...this.aggregators.map((a) => a.docs));
    this.lateDocs = Math.max(0, ...this.aggregators.map((a) => a.lateDocs));
    for (const sim of this.sims) sim.finish(endIndex);
    return {
      injections: this.injected.map(({ bucket: _b, ...rest }) => rest),
      baselineMax: this.baselineMax,
      baselineOver50: this.baselineOver50,
      lateMax: this.lateMaxSince(this.endMs - 2 * 86_400_000),
      topBaseline: this.top.map((r) => ({
        bucketStart: new Date(r.bucket * span).toISOString(),
        detector: r.d.description,
        entity: entityOf(r.d, r.key),
        score: r.score,
        why: r.why,
      })),
      docs: this.docs,
      lateDocs: this.lateDocs,
    };
  }

  private lateMaxSince(fromMs: number): number {
    let max = 0;
    for (let i = 0; i < this.scored.length; i += 2) {
      if (this.scored[i] * this.spec.bucketSpanMs >= fromMs) max = Math.max(max, this.scored[i + 1]);
    }
    return max;
  }

  private record(d: DetectorSpec, r: EngineRecord): void {
    const mine = this.injected.filter((i) => i.bucket === r.bucket && matches(d, r.key, i.entity));
    if (mine.length) {
      for (const i of mine) {
        if (r.score > i.score || i.detector === undefined) {
          Object.assign(i, { score: r.score, detector: d.description, actual: r.actual, typical: r.typical, why: r.why });
        }
      }
      return;
    }
    // Records elsewhere in an injection's bucket are its competitors, not the baseline.
    if (r.score <= 0 || this.injected.some((i) => i.bucket === r.bucket)) return;
    if (r.score > this.baselineMax) this.baselineMax = r.score;
    if (r.score >= 50) this.baselineOver50++;
    this.scored.push(r.bucket, r.score);
    if (this.top.length < 5 || r.score > this.top[this.top.length - 1].score) {
      this.top.push({ ...r, d });
      this.top.sort((a, b) => b.score - a.score);
      this.top.length = Math.min(this.top.length, 5);
    }
  }
}

function matches(d: DetectorSpec, key: SeriesKey, entity: string | null): boolean {
  if (entity === null) return true;
  return entityOf(d, key) === entity;
}
