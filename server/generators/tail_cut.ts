/**
 * The tail cut of count series: in each step of the stream, the ordinary events of a count job's
 * series (its host, its source IP, or all of its events) stop at the series' expected count plus
 * two standard deviations (and one). Each lane's own draw is cut at three (stream.ts poissonCap),
 * but a job reads several lanes, and their sum is not: seven auth lanes, each inside its cut, gave
 * a file server 13 logons on a Sunday afternoon against 5.1 expected, a record of 56.1 for a 50
 * rule (issue #8). The engine scores such tails in pure Poisson data too (engine calibration,
 * count_partition: 11 baseline records of 50 or more): an ordinary series should have none. A cut
 * event is still drawn by the stream, so the rest of the stream stays as it was.
 *
 * The cut is the demo's, not a module's: a job reading `logs-*` sums one host's or one country's
 * events from several modules' streams, each inside its own cut, and such sums gave the highest
 * baseline records of the option sets (Canada, 13 events against 3.1 from the two network
 * modules: 74.8 against 75). So each series' cut, computed from every module's expected count, is
 * shared out between the modules whose lanes the job reads, in proportion to what each expects
 * (largest remainders, so the shares add up to the cut). Every module's stream computes the same
 * shares from the plan, so streams stay independent (and parallel). A series only one module
 * writes keeps that module's whole cut: its stream is as it was.
 */
import { familyOf, sideOf } from '../engine/registry';
import { compileQuery } from '../verify/query_evaluator';
import { seriesFields } from './anomalies';
import type { Entity, EntityKind } from './entities';
import { busiestHour, fieldKind, kindShares, RUNTIME_FIELD_SOURCES, sampleLane, type Lane } from './lanes';
import type { Plan } from './plan';
import { Random } from './random';
import { lanePhase, ONBOARDING, WARMUP, type LanePhase } from './phase';
import { hourOfWeek } from './time';

/** A count's cut: `sds` standard deviations (Poisson) above its expectation, and one. */
export const cutAbove = (expected: number, sds: number) => Math.floor(expected + sds * Math.sqrt(expected) + 1);

/** Where a series' count in a step stops: two standard deviations above, and one. */
export const seriesCap = (expected: number) => cutAbove(expected, 2);

/** What a step's expected counts depend on: the hour of the week, and each lane's phase. */
const PHASE_KEY: Record<LanePhase, string> = { off: '-', warmup: 'w', onboarding: 'b', ordinary: 'r' };

/** A count job of the demo, and which lanes of every module its datafeed reads (as a `logs-*` job). */
interface CountJob {
  /** [module][lane]: the job reads every event of the lane, and the lane has the series' kinds. */
  reads: boolean[][];
  /** [module][lane]: per series field, the index of its kind in the lane's kinds ([-1]: one series, all events). */
  at: number[][][];
  kinds: EntityKind[];
  /** The document field each series takes its value from (a runtime field's source). */
  fields: string[];
  /** When the job's datafeed starts reading. */
  start: number;
}

/** A lane's phase as a job's expectation counts it: a warm-up at onboarding rates once the job reads, else not at all. */
const countedAs = (phase: LanePhase, reading: boolean): LanePhase => (phase === 'warmup' ? (reading ? 'onboarding' : 'off') : phase);

/** One step's cuts: per job and series field, each value's share of this stream; per lane, the jobs that cut it. */
interface Step {
  caps: Map<unknown, number>[][];
  checks: number[][];
}

interface CutPlan {
  lanes: Lane[][];
  starts: number[][];
  jobs: CountJob[];
  /** Every time a lane's phase changes or a job starts reading, in order: between two, the cuts depend on the hour alone. */
  changes: number[];
}

/** The key of a job's one series when it has no series field. */
const TOTAL = Symbol('all events');
/** The cut of a series no lane expects this step (as the cut of an expectation of 0). */
const UNEXPECTED = seriesCap(0);

/** The demo's count jobs and what each reads, once per plan (a plan is a value). */
const cutPlans = new WeakMap<Plan, CutPlan>();
function cutPlanOf(plan: Plan): CutPlan {
  let cp = cutPlans.get(plan);
  if (cp) return cp;
  const lanes = plan.modules.map((m) => m.jobs.map((j) => j.lane));
  const starts = plan.modules.map((m) => m.jobs.map((j) => j.laneStart));
  const jobs: CountJob[] = [];
  for (const { job, start } of plan.modules.flatMap((m) => m.jobs)) {
    const d = job.job.analysis_config.detectors[0];
    // A job that scores only drops has no tail to cut: a cut series varies less, and its dips stand out more.
    if (familyOf(d.function) !== 'count' || sideOf(d.function) === 'low') continue;
    const series = seriesFields(d);
    const kinds = series.map((f) => fieldKind(f)!);
    if (kinds.some((k) => !k)) continue;
    const matches = compileQuery(job.datafeed.query);
    const at = lanes.map((ls) => ls.map((lane) => (kinds.length ? kinds.map((k) => lane.kinds.indexOf(k)) : [-1])));
    const reads = lanes.map((ls, m) =>
      ls.map((lane, l) => {
        // A lane without one of the series' kinds is not in its series.
        if (lane.steady || (kinds.length > 0 && at[m][l].some((i) => i < 0))) return false;
        let any = false;
        for (const { doc } of sampleLane(lane, busiestHour(lane), Random.scoped('tail-cut', job.id, lane.jobId), 50)) {
          any = true;
          if (!matches(doc)) return false;
        }
        return any;
      }),
    );
    const fields = series.map((f) => RUNTIME_FIELD_SOURCES[f] ?? f);
    if (reads.some((r) => r.some(Boolean))) jobs.push({ reads, at, kinds, fields, start });
  }
  const changes = [...new Set([...starts.flat().flatMap((t) => [t, t + WARMUP, t + ONBOARDING]), ...jobs.map((j) => j.start)])].sort((a, b) => a - b);
  cutPlans.set(plan, (cp = { lanes, starts, jobs, changes }));
  return cp;
}

/**
 * The whole cut `cap` shared out in proportion to `expected` (largest remainders, ties to the
 * earlier module): the shares add up to `cap`.
 */
export function shareOut(cap: number, expected: readonly number[]): number[] {
  const total = expected.reduce((a, b) => a + b, 0);
  if (total <= 0) return expected.map(() => 0);
  const quotas = expected.map((e) => (cap * e) / total);
  const shares = quotas.map(Math.floor);
  const rest = (k: number) => quotas[k] - shares[k];
  let left = cap - shares.reduce((a, b) => a + b, 0);
  for (const k of quotas.map((_, k) => k).sort((a, b) => rest(b) - rest(a) || a - b)) {
    if (left <= 0) break;
    if (expected[k] > 0) {
      shares[k]++;
      left--;
    }
  }
  // Every module that writes the series keeps at least one event a step (as a cut of its own
  // would), taken from the largest share while that has more than one: a sparse host does not
  // vanish from a stream because another stream has most of its events.
  for (let k = 0; k < shares.length; k++) {
    if (expected[k] <= 0 || shares[k] > 0) continue;
    shares[k] = 1;
    const largest = shares.reduce((best, s, i) => (s > shares[best] ? i : best), 0);
    if (shares[largest] > 1) shares[largest]--;
  }
  return shares;
}

/** How many of the sorted `xs` are at or before `x`. */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class TailCut {
  private readonly cp: CutPlan;
  /** The demo's count jobs that read a lane of this module. */
  private readonly jobs: CountJob[];
  private readonly cache = new Map<string, Step>();
  private readonly expectations = new Map<string, Map<unknown, number>[]>();
  private step: Step = { caps: [], checks: [] };
  private counted: Map<unknown, number>[][] = [];

  constructor(
    plan: Plan,
    /** This module's index in the plan. */
    private readonly self: number,
    /** This stream's lanes: the module's, or none (a live incident's events only). */
    private readonly lanes: readonly Lane[],
    private readonly perStep: number,
  ) {
    this.cp = cutPlanOf(plan);
    this.jobs = lanes.length ? this.cp.jobs.filter((job) => job.reads[self].some(Boolean)) : [];
  }

  get active(): boolean {
    return this.jobs.length > 0;
  }

  /** How lane `l` of module `m` counts in `job`'s series at `tick` (see countedAs). */
  private phaseIn(job: CountJob, m: number, l: number, tick: number): LanePhase {
    return countedAs(lanePhase(tick, this.cp.starts[m][l]), tick >= job.start);
  }

  /** Lane `l`'s event's value of `job`'s series field `i` (TOTAL for a job of one series). */
  private valueOf(job: CountJob, l: number, i: number, picked: readonly Entity[]): unknown {
    const at = job.at[this.self][l][i];
    return at < 0 ? TOTAL : picked[at].fields[job.fields[i]];
  }

  /**
   * Expected count of each value of each series field of `job` in module `m`'s lanes this step. A
   * lane in its warm-up counts once the job reads (at the rates and weights of its onboarding), and
   * not before.
   */
  private expectedIn(job: CountJob, m: number, how: number, tick: number): Map<unknown, number>[] {
    // What the expectation depends on: each read lane's rates (none, onboarding or ordinary).
    let key = `${this.cp.jobs.indexOf(job)}|${m}|${how}|`;
    for (let l = 0; l < this.cp.starts[m].length; l++) if (job.reads[m][l]) key += PHASE_KEY[this.phaseIn(job, m, l, tick)];
    let expected = this.expectations.get(key);
    if (expected) return expected;
    expected = (job.fields.length ? job.fields : [TOTAL]).map(() => new Map<unknown, number>());
    this.expectations.set(key, expected);
    const add = (i: number, value: unknown, n: number) => expected![i].set(value, (expected![i].get(value) ?? 0) + n);
    this.cp.lanes[m].forEach((lane, l) => {
      if (!job.reads[m][l]) return;
      const phase = this.phaseIn(job, m, l, tick);
      if (phase === 'off') return;
      const onboarding = phase === 'onboarding' && !!lane.onboarding;
      const rate = (onboarding ? lane.onboarding!.ratePerTick : lane.ratePerTick)[how] * this.perStep;
      if (job.fields.length === 0) return add(0, TOTAL, rate);
      const at = job.at[m][l];
      const byKind = kindShares(lane, how, onboarding, Math.max(...at) + 1);
      for (let i = 0; i < at.length; i++) {
        const field = job.fields[i];
        for (const [e, share] of byKind[at[i]] ?? []) if (e.fields[field] !== undefined) add(i, e.fields[field], rate * share);
      }
    });
    return expected;
  }

  /** A new step of this module's stream, starting at `tick`. */
  begin(tick: number): void {
    const how = hourOfWeek(tick);
    const key = `${how}|${upperBound(this.cp.changes, tick)}`;
    let step = this.cache.get(key);
    if (!step) {
      const caps = this.jobs.map((job) => {
        const expected = this.cp.lanes.map((_, m) => (job.reads[m].some(Boolean) ? this.expectedIn(job, m, how, tick) : undefined));
        return expected[this.self]!.map((mine, i) => {
          const cap = new Map<unknown, number>();
          for (const value of mine.keys()) {
            const each = expected.map((x) => x?.[i].get(value) ?? 0);
            cap.set(value, shareOut(seriesCap(each.reduce((a, b) => a + b, 0)), each)[this.self]);
          }
          return cap;
        });
      });
      // A lane's warm-up events are cut only for the jobs already reading: the warm-up takes every
      // value in turn, which a job starting later never sees, but one reading already would count
      // as a burst (the two DNS tunnelling lanes' first step gave Canada 13 destinations against
      // 3.1 in a logs-* count by country that had read for a week: 74.8 against 75).
      const checks = this.lanes.map((_, l) =>
        this.jobs.flatMap((job, j) => (job.reads[this.self][l] && this.phaseIn(job, this.self, l, tick) !== 'off' ? [j] : [])),
      );
      this.cache.set(key, (step = { caps, checks }));
    }
    this.step = step;
    this.counted = step.caps.map((perField) => perField.map(() => new Map()));
  }

  /** Whether lane `l`'s event of these entities stays inside every series' cut; if so, counts it. */
  admit(l: number, picked: readonly Entity[]): boolean {
    const { caps, checks } = this.step;
    for (const j of checks[l])
      for (let i = 0; i < caps[j].length; i++) {
        const value = this.valueOf(this.jobs[j], l, i, picked);
        if ((this.counted[j][i].get(value) ?? 0) + 1 > (caps[j][i].get(value) ?? UNEXPECTED)) return false;
      }
    for (const j of checks[l])
      for (let i = 0; i < caps[j].length; i++) {
        const value = this.valueOf(this.jobs[j], l, i, picked);
        this.counted[j][i].set(value, (this.counted[j][i].get(value) ?? 0) + 1);
      }
    return true;
  }
}
